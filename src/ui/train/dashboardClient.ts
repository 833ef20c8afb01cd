/** Typed dashboard requests to the trainer Worker (see worker/dashboardProtocol.ts). */
import { trainerClient } from '../../state/trainingBridge';
import type { DashboardRequest, DashboardResultOf } from '../../worker/dashboardProtocol';

/** Sends one dashboard request; resolves with its result, rejects with the worker's sentence. */
export async function askDashboard<R extends DashboardRequest>(request: R): Promise<DashboardResultOf<R['op']>> {
  const reply = await trainerClient().request({ type: 'dashboard', request });
  if (reply.result.op !== request.op)
    throw new Error(`Expected a "${request.op}" answer from the trainer, got "${reply.result.op}".`);
  return reply.result as DashboardResultOf<R['op']>;
}
