import { analyticsRollupHandler } from '../src/analytics/rollup-handler';
import { consumeChanges } from '../src/changes/consumer';
import { currentsHandler } from '../src/currents/handler';
import { actionTriggerHandler } from '../src/delivery/action-triggers';
import { consumeDeliveries, consumeDeliveryDeadLetters } from '../src/delivery/consumer';
import { engagementStatsHandler } from '../src/delivery/engagement-stats';
import { createApp } from '../src/http/app';
import { ROUTES } from '../src/http/routes';
import { consumeJobs, dueJobs } from '../src/jobs/consumer';
import { log, setLogLevel } from '../src/lib/log';
import { indexSyncHandler } from '../src/segments/index-writer';

export { CurrentsBuffer } from './currents-buffer';
export { IdentityIndex } from './identity-index';
export { IngestShard } from './ingest-shard';
export { RateLimiter } from './rate-limiter';
export { UserProfile } from './user-profile';

const app = createApp(ROUTES);

/**
 * The Worker entry: REST and SDK traffic (fetch), change records (queue) and the minute cron
 * (scheduled). Each handler only hands over to src/.
 */
export default {
  fetch(request, env, ctx) {
    setLogLevel(env.HERALD_LOG_LEVEL);
    return app.fetch(request, env, ctx);
  },

  async queue(batch, env) {
    setLogLevel(env.HERALD_LOG_LEVEL);
    if (batch.queue.startsWith('herald-jobs')) return consumeJobs(batch, env);
    if (batch.queue.startsWith('herald-delivery-dlq')) {
      return consumeDeliveryDeadLetters(batch, env);
    }
    if (batch.queue.startsWith('herald-delivery')) return consumeDeliveries(batch, env);
    if (batch.queue === 'herald-send-records') return consumeDeliveries(batch, env);
    // Triggers and Currents register their handlers here as they arrive.
    const stats = await consumeChanges(batch, [
      indexSyncHandler(env),
      actionTriggerHandler(env),
      engagementStatsHandler(env),
      analyticsRollupHandler(env),
      currentsHandler(env),
    ]);
    log('debug', 'change batch consumed', { queue: batch.queue, ...stats });
  },

  async scheduled(controller, env) {
    setLogLevel(env.HERALD_LOG_LEVEL);
    // Cron only enqueues due work; queue consumers do it.
    const jobs = dueJobs(controller.scheduledTime);
    if (jobs.length > 0) await env.JOBS_QUEUE.sendBatch(jobs.map((body) => ({ body })));
    log('debug', 'cron tick', { cron: controller.cron, enqueued: jobs.length });
  },
} satisfies ExportedHandler<Env, unknown>;
