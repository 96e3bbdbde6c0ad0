// Process entry of the `dmid` command (bin/dmid.js runs the compiled copy; `npm run dmid --` runs this).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
