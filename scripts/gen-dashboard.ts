/** Writes deploy/grafana/dmid.json from scripts/grafana-dashboard.ts (`npm run gen:dashboard`). */
import { writeFileSync } from 'node:fs';
import { dashboardJson } from './grafana-dashboard.js';

writeFileSync(new URL('../deploy/grafana/dmid.json', import.meta.url), dashboardJson());
process.stdout.write('wrote deploy/grafana/dmid.json\n');
