// Process entry of the `dmid` command (bin/dmid.js runs the compiled copy; `npm run dmid --` runs this).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
// main() returned, so every service was stopped (bounded: kafka-transport.ts stopGraceMs). A client timer or
// socket left behind (a produce retried for ever) must not keep the process alive: exit after 5 s anyway.
setTimeout(() => process.exit(), 5000).unref();
