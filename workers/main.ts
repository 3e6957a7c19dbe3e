import { consumeChanges } from '../src/changes/consumer';
import { createApp } from '../src/http/app';
import { ROUTES } from '../src/http/routes';
import { log, setLogLevel } from '../src/lib/log';

export { IdentityIndex } from './identity-index';
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
    // Segment index, triggers and Currents register their handlers here as they arrive.
    const stats = await consumeChanges(batch, []);
    log('debug', 'change batch consumed', { queue: batch.queue, ...stats });
  },

  async scheduled(controller, env) {
    setLogLevel(env.HERALD_LOG_LEVEL);
    // Cron only enqueues due work; nothing in the foundation is time-driven yet.
    log('debug', 'cron tick', { cron: controller.cron, scheduled_time: controller.scheduledTime });
  },
} satisfies ExportedHandler<Env, unknown>;
