/** How Routes print in `kubectl get`: kube-apiserver's columns gcloud's column names, so the output reads like `gcloud compute … list`. */
import { age, ageColumn, column, nameColumn, type TableConvertor } from '../../table.js';
import { priorityColumn } from '../compute.js';
import type { Route } from './schema.js';

export const routeTable: TableConvertor<Route> = {
  columns: [
    nameColumn(),
    column('Dest_Range', 'The destination range of the packets this route applies to.'),
    column('Next_Hop', 'The node that receives the packets.'),
    priorityColumn,
    ageColumn,
  ],
  cells: (route, nowMs) => [
    route.metadata.name ?? '',
    route.spec.destRange,
    route.spec.nextHopInstance,
    route.spec.priority,
    age(route, nowMs),
  ],
};
