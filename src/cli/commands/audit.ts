import type { Command } from 'commander';
import { formatBytes, runAudit } from '../../privacy/audit.js';
import { printJson, printLine } from '../output.js';

/** `medistill audit RUN_DIR`: every host the run's models sent requests to, from its egress log. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit <runDir>')
    .description(
      'show what a run sent where: requests, bytes and stages per endpoint (--json for every request)',
    )
    .option('--json', 'print every request as JSON')
    .action((directory: string, options: { json?: boolean }) => {
      const audit = runAudit({ directory });
      if (options.json) {
        printJson(audit);
        return;
      }
      printLine(audit.summary);
      if (audit.hosts.length === 0) return;
      const rows = audit.hosts.map((host) => [
        `${host.host}:${host.port}`,
        host.address,
        host.local ? 'yes' : 'NO',
        String(host.requests),
        String(host.failed),
        formatBytes(host.bytesSent),
        formatBytes(host.bytesReceived),
        host.stages.join(','),
        `${host.first} .. ${host.last}`,
      ]);
      const header = [
        'endpoint',
        'address',
        'local',
        'requests',
        'failed',
        'sent',
        'received',
        'stages',
        'time',
      ];
      const widths = header.map((title, column) =>
        Math.max(title.length, ...rows.map((row) => row[column]!.length)),
      );
      for (const row of [header, ...rows])
        printLine(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
    });
}
