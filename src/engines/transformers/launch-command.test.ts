import { describe, expect, it } from 'vitest';
import { launchCommand } from './launch-command.js';
import { transformersSettingsSchema } from './transformers-settings.js';

const distributed = { nodes: 2, nodeRank: 1, masterAddress: '127.0.0.2', masterPort: 29500 };

describe('launching the worker', () => {
  it('runs the Python directly by default', () => {
    const settings = transformersSettingsSchema.parse({ python: ['/venv/bin/python'] });
    expect(launchCommand(settings, 'w.py', 'job.json')).toEqual({
      argv: ['/venv/bin/python', 'w.py', '--job', 'job.json'],
      environment: {},
    });
  });

  it('runs torchrun across machines with the rendezvous LLaMA-Factory also reads', () => {
    const settings = transformersSettingsSchema.parse({
      launcher: 'torchrun',
      processesPerNode: 8,
      distributed,
    });
    const command = launchCommand(settings, 'w.py', 'job.json');
    expect(command.argv).toEqual([
      'python3',
      '-m',
      'torch.distributed.run',
      '--nproc_per_node=8',
      '--nnodes=2',
      '--node_rank=1',
      '--master_addr=127.0.0.2',
      '--master_port=29500',
      'w.py',
      '--job',
      'job.json',
    ]);
    expect(command.environment).toMatchObject({
      FORCE_TORCHRUN: '1',
      NNODES: '2',
      NODE_RANK: '1',
      MASTER_ADDR: '127.0.0.2',
      MASTER_PORT: '29500',
    });
  });

  it('runs accelerate with its config file and the total process count', () => {
    const settings = transformersSettingsSchema.parse({
      launcher: 'accelerate',
      accelerateConfig: 'fsdp.yaml',
      processesPerNode: 4,
      distributed,
      environment: { HF_HUB_OFFLINE: '1' },
    });
    const command = launchCommand(settings, 'w.py', 'job.json');
    expect(command.argv.slice(0, 9)).toEqual([
      'python3',
      '-m',
      'accelerate.commands.launch',
      '--config_file',
      'fsdp.yaml',
      '--num_processes',
      '8',
      '--num_machines',
      '2',
    ]);
    expect(command.environment.HF_HUB_OFFLINE).toBe('1');
  });

  it('refuses a misspelt setting', () => {
    expect(() => transformersSettingsSchema.parse({ lancher: 'torchrun' })).toThrow(/lancher/);
  });
});
