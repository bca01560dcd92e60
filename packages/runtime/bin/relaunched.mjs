// Loaded with `--import` into a process that relaunch.mjs started. Once the launcher is gone (the child is
// handed to another parent, as when the launcher is killed with SIGKILL), the server stops as on SIGTERM:
// it drains and exits rather than holding its port with nobody to stop it.
const launcher = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === launcher) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
}, 250);
watch.unref();
