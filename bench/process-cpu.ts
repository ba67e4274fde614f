import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on Linux). */
const ticksPerSecond = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * CPU seconds used so far by each process tree (a process and all its live descendants, e.g.
 * PostgreSQL's backends), from /proc: where a benchmark's time goes, by component. Linux only.
 */
export function cpuSecondsByTree(roots: Record<string, number | undefined>): Record<string, number> {
  const stats = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => readStat(pid) ?? []);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const treeTicks = (pid: number): number => (byPid.get(pid)?.cpuTicks ?? 0) + (children.get(pid) ?? []).reduce((sum, child) => sum + treeTicks(child.pid), 0);
  return Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, pid === undefined ? 0 : treeTicks(pid) / ticksPerSecond]));
}
