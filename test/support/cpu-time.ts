/**
 * This process's CPU time, for tests that bound how long a computation takes. Wall time is the wrong
 * measure on a shared machine: the process is descheduled for tens of milliseconds at a time under load
 * (a 100 ms wall-clock bound on one decode failed at load 22 on two cores), while a pathological input
 * (a huge length prefix, quadratic work) spends its time on the CPU whatever the load.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
