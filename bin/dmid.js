#!/usr/bin/env node
// The `dmid` command: runs the compiled CLI (`npm ci` and `npm run build` write dist/).
import '../dist/cli/bin.js';
