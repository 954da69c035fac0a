import { distributedEnvironment } from '../llama-factory/llama-factory-settings.js';
import type { TransformersSettings } from './transformers-settings.js';

export interface LaunchCommand {
  argv: string[];
  environment: Record<string, string>;
}

/**
 * The command that runs the worker: the Python itself for one process; torchrun
 * (`python -m torch.distributed.run`) or `accelerate launch` for one process per GPU, across
 * machines with the same rendezvous variables LLaMA-Factory's launcher sets.
 */
export function launchCommand(
  settings: TransformersSettings,
  script: string,
  jobFile: string,
): LaunchCommand {
  const worker = [script, '--job', jobFile];
  const distributed = settings.distributed;
  const environment = { ...distributedEnvironment(distributed), ...settings.environment };
  const perNode = settings.processesPerNode ?? distributed?.processesPerNode;
  switch (settings.launcher) {
    case 'python':
      return { argv: [...settings.python, ...worker], environment };
    case 'torchrun':
      return {
        argv: [
          ...settings.python,
          '-m',
          'torch.distributed.run',
          `--nproc_per_node=${perNode ?? 'gpu'}`,
          ...(distributed
            ? [
                `--nnodes=${distributed.nodes}`,
                `--node_rank=${distributed.nodeRank}`,
                `--master_addr=${distributed.masterAddress}`,
                `--master_port=${distributed.masterPort}`,
              ]
            : []),
          ...worker,
        ],
        environment,
      };
    case 'accelerate':
      return {
        argv: [
          ...settings.python,
          '-m',
          'accelerate.commands.launch',
          ...(settings.accelerateConfig ? ['--config_file', settings.accelerateConfig] : []),
          ...(perNode === undefined ? [] : ['--num_processes', String(perNode * (distributed?.nodes ?? 1))]),
          ...(distributed
            ? [
                '--num_machines',
                String(distributed.nodes),
                '--machine_rank',
                String(distributed.nodeRank),
                '--main_process_ip',
                distributed.masterAddress,
                '--main_process_port',
                String(distributed.masterPort),
              ]
            : []),
          ...worker,
        ],
        environment,
      };
  }
}
