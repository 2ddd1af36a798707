/**
 * zod schemas of the normalized notify events. `switchyard/notify` declares them as TypeScript
 * interfaces only (adapters build them; nothing parses them back), so the schemas live here, built
 * from the same constant lists, and a compile-time check below fails `npm run typecheck` the day
 * the interfaces and these schemas disagree.
 */
import { z } from 'zod';
import { CHANNELS, type ConsentEvent, DELIVERY_STATUSES, type DeliveryEvent } from '../notify/types.js';

const instant = z.string().describe('ISO-8601 instant');

export const deliveryEventSchema = z
  .object({
    kind: z.literal('delivery'),
    provider: z.string(),
    channel: z.enum(CHANNELS),
    providerEventId: z.string().describe('Unique per provider event: the dedupe key'),
    providerMessageId: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    bounceType: z.enum(['hard', 'soft']).optional().describe('For `bounced`: hard (suppressed) or soft'),
    recipient: z.string().optional(),
    occurredAt: instant,
    reason: z.string().optional().describe("The provider's short reason (an SMTP status, a Twilio error code)"),
  })
  .describe('A normalized delivery event (sent, delivered, bounced, complained, …)');

export const consentEventSchema = z
  .object({
    kind: z.literal('consent'),
    provider: z.string(),
    channel: z.enum(CHANNELS),
    providerEventId: z.string(),
    action: z.enum(['opt_out', 'opt_in', 'help']),
    address: z.string(),
    occurredAt: instant,
  })
  .describe('An SMS keyword (STOP, START, HELP) turned into a consent change');

export const notifyEventSchema = z.discriminatedUnion('kind', [deliveryEventSchema, consentEventSchema]);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inSync: [Same<z.output<typeof deliveryEventSchema>, DeliveryEvent>, Same<z.output<typeof consentEventSchema>, ConsentEvent>] = [
  true,
  true,
];
void inSync;
