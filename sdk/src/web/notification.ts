/** Herald's web_push payload (docs/channels.md) as a notification: pure, for tests. */

export interface Payload {
  title?: string;
  body?: string;
  icon?: string;
  image?: string;
  url?: string;
  require_interaction?: boolean;
  actions?: { action: string; title: string; type?: string; url?: string }[];
  extra?: Record<string, unknown>;
  herald?: { token: string; open_url: string };
}

/** The title and options for showNotification.  */
export function notificationOf(p: Payload): [string, object] {
  return [
    p.title ?? '',
    {
      body: p.body,
      icon: p.icon,
      image: p.image,
      requireInteraction: p.require_interaction === true,
      actions: (p.actions ?? []).map((a) => ({ action: a.action, title: a.title })),
      data: p,
    },
  ];
}

/** Where a click goes: the chosen action's URL, else the message's. */
export function clickTarget(p: Payload, action: string): string | undefined {
  return p.actions?.find((a) => a.action === action)?.url ?? p.url;
}
