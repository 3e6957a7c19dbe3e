import { z } from 'zod';
import type { Ctx } from '../http/context';
import { badRequest } from '../http/errors';
import type { Workspace } from '../workspaces/store';
import { planSchedule, type ScheduleObject } from './schedule-object';
import {
  type ApiSchedule,
  changeSchedule,
  createSchedule,
  getSchedule,
  newScheduleId,
  type ScheduleKind,
  type ScheduleStatus,
  scheduleDispatchId,
} from './schedule-store';

/** What `/messages/schedule/*` and `/campaigns/trigger/schedule/*` share. */

export const ScheduleId = z
  .string({ error: 'schedule_id is required' })
  .min(1, 'schedule_id is required');

/** The answer to a create: Braze's `dispatch_id` and `schedule_id`. */
export const ScheduleCreated = z.object({
  dispatch_id: z.string(),
  schedule_id: z.string(),
  send_id: z.string().optional(),
  message: z.string(),
});

export const Success = z.object({ message: z.string() });

/** When a schedule starts, or Braze's 400 saying why it cannot be scheduled. */
function mustPlan(schedule: ScheduleObject, workspace: Workspace, now: number): { dueAt: number } {
  const plan = planSchedule(schedule, {
    now,
    companyTimeZone: workspace.settings.company_time_zone,
  });
  if (!plan.ok) throw badRequest(plan.error);
  return { dueAt: plan.dueAt };
}

function notPending(id: string, status: ScheduleStatus): Error {
  if (status === 'deleted') return badRequest('schedule_id is invalid', [`${id} was deleted`]);
  return badRequest('The scheduled message has already started', [
    `${id} is ${status}: it can no longer be updated or deleted`,
  ]);
}

/** Which schedule a request names; a campaign's schedules are named with their campaign. */
export interface ScheduleTarget {
  kind: ScheduleKind;
  id: string;
  campaignId?: string;
}

const workspaceOf = (c: Ctx) => c.get('caller').workspace.id;

/** A schedule of the caller's workspace that has not started yet, or Braze's 400. */
export async function mustGetPending(c: Ctx, target: ScheduleTarget): Promise<ApiSchedule> {
  const found = await getSchedule(c.env.DB, { ...target, workspaceId: workspaceOf(c) });
  if (!found || (target.campaignId !== undefined && found.campaignId !== target.campaignId)) {
    throw badRequest('schedule_id is invalid', [`No scheduled message with id ${target.id}`]);
  }
  if (found.status !== 'scheduled') throw notPending(target.id, found.status);
  return found;
}

/**
 * Replace or delete a pending schedule and answer Braze's success; its 400 when the minute job
 * started it meanwhile. Changes close to the send time are best effort, as at Braze: one that
 * lands while the job is starting the schedule may reach none of its users.
 */
async function change(
  c: Ctx,
  target: ScheduleTarget,
  next: Parameters<typeof changeSchedule>[1]['change'],
): Promise<Response> {
  const res = await changeSchedule(c.env.DB, {
    ...target,
    workspaceId: workspaceOf(c),
    change: next,
    now: Date.now(),
  });
  if (res.type === 'not_scheduled') throw notPending(target.id, res.status);
  return c.json({ message: 'success' }, 200);
}

/** Replace a pending schedule's request and schedule object (checked first). */
export function replaceSchedule(
  c: Ctx,
  target: ScheduleTarget,
  next: { request: unknown; schedule: ScheduleObject },
): Promise<Response> {
  const { dueAt } = mustPlan(next.schedule, c.get('caller').workspace, Date.now());
  return change(c, target, { deleted: false, ...next, dueAt });
}

/** Delete a pending schedule (Braze's 400 for an unknown, another campaign's or started one). */
export async function deleteSchedule(c: Ctx, target: ScheduleTarget): Promise<Response> {
  await mustGetPending(c, target);
  return change(c, target, { deleted: true });
}

/** Store a schedule whose request was checked and answer Braze's create response (201). */
export async function saveSchedule(
  c: Ctx,
  input: {
    kind: ScheduleKind;
    campaignId: string | null;
    request: { send_id?: string | undefined };
    schedule: ScheduleObject;
  },
): Promise<Response> {
  const now = Date.now();
  const { dueAt } = mustPlan(input.schedule, c.get('caller').workspace, now);
  const id = newScheduleId();
  await createSchedule(c.env.DB, { ...input, id, workspaceId: workspaceOf(c), dueAt, now });
  return c.json(
    {
      dispatch_id: await scheduleDispatchId(id),
      schedule_id: id,
      ...(input.request.send_id ? { send_id: input.request.send_id } : {}),
      message: 'success',
    },
    201,
  );
}
