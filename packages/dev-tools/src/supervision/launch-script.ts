import { ManagedProcess } from './managed-process.js';
import { repositoryRoot } from './repository-root.js';

/**
 * Starts a TypeScript entry point of this repository (through tsx, sources resolved by the `source`
 * condition) as a process group, JSON logs captured.
 */
export function launchScript(
  script: string,
  env: NodeJS.ProcessEnv,
  name: string,
  onLine?: (line: string) => void,
  wrapper?: readonly string[],
): ManagedProcess {
  return ManagedProcess.start({
    name,
    wrapper,
    cwd: repositoryRoot,
    args: [...diagnosticNodeFlags(), '--conditions=source', '--import', 'tsx', script],
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    onLine,
  });
}

/** Node flags for profiling or tracing every process a benchmark or test starts, from the environment. */
export function diagnosticNodeFlags(): string[] {
  return [
    // For profiling a benchmark or a test's processes: each writes a .cpuprofile there when it exits.
    ...(process.env.DGC_CPU_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DGC_CPU_PROFILE_DIR}`]
      : []),
    // For flags NODE_OPTIONS refuses (--trace-gc-nvp, --heapsnapshot-signal…), space-separated.
    ...(process.env.DGC_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
  ];
}
