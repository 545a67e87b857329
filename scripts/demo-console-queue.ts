/**
 * The queue `npm run demo:console` starts from: three teams and about forty tickets of the
 * kind a support desk sees, with priorities, due dates, tags and a few comments.
 */
export const TEAMS = [
  { name: 'Billing', identifier: 'BIL', description: 'Invoices, refunds and plans' },
  { name: 'Platform', identifier: 'OPS', description: 'Outages, access and integrations' },
];

export const AGENTS = [
  { name: 'Claude', email: 'claude@acme.example', kind: 'ai', teams: ['SUP', 'BIL'] },
  { name: 'Codex', email: 'codex@acme.example', kind: 'ai', teams: ['SUP', 'OPS'] },
] as const;

/** The support lead who seeds the queue and watches it in the console. */
export const LEAD = { id: 'priya@acme.example', name: 'Priya Shah', addTeams: ['SUP', 'BIL', 'OPS'] };

const ISSUES: [team: string, tag: string, title: string][] = [
  ['SUP', 'login', 'Cannot log in after the password reset'],
  ['SUP', 'login', 'Two-factor code never arrives by SMS'],
  ['SUP', 'account', 'Please change the email on my account'],
  ['SUP', 'account', 'Delete my account and all my data'],
  ['SUP', 'mobile', 'iOS app crashes when opening settings'],
  ['SUP', 'mobile', 'Android widget shows yesterday’s numbers'],
  ['SUP', 'export', 'CSV export cuts off at 10,000 rows'],
  ['SUP', 'export', 'Excel export has garbled accents'],
  ['SUP', 'how-to', 'How do I invite a colleague to my workspace?'],
  ['SUP', 'how-to', 'Where can I find last month’s activity report?'],
  ['SUP', 'search', 'Search does not find tickets by order number'],
  ['SUP', 'notifications', 'Getting every notification twice'],
  ['SUP', 'notifications', 'Weekly digest email stopped arriving'],
  ['SUP', 'dark-mode', 'Dark mode makes the chart labels unreadable'],
  ['BIL', 'refund', 'Refund not received for order 1182'],
  ['BIL', 'refund', 'Charged twice for the annual plan'],
  ['BIL', 'invoice', 'Invoice PDF is blank'],
  ['BIL', 'invoice', 'VAT number missing on invoices'],
  ['BIL', 'invoice', 'Need invoices addressed to our new company name'],
  ['BIL', 'plan', 'Downgrade to the Starter plan at renewal'],
  ['BIL', 'plan', 'Seats still billed after removing users'],
  ['BIL', 'payment', 'Card declined although the bank approved it'],
  ['BIL', 'payment', 'Switch from card to bank transfer'],
  ['BIL', 'refund', 'Refund to a card that has expired'],
  ['BIL', 'plan', 'Discount code not applied at checkout'],
  ['BIL', 'invoice', 'Currency on invoice should be EUR, not USD'],
  ['OPS', 'outage', 'API returns 502 for about a minute every hour'],
  ['OPS', 'outage', 'Dashboard times out for the EU region'],
  ['OPS', 'sso', 'SAML sign-in fails after rotating the certificate'],
  ['OPS', 'sso', 'Okta group sync leaves out new hires'],
  ['OPS', 'webhook', 'Webhooks arrive out of order'],
  ['OPS', 'webhook', 'Webhook signature check fails since Tuesday'],
  ['OPS', 'api', 'Rate limit lower than our contract says'],
  ['OPS', 'api', 'Pagination cursor expires mid-export'],
  ['OPS', 'integration', 'Slack integration posts to the wrong channel'],
  ['OPS', 'integration', 'Jira sync duplicates comments'],
  ['OPS', 'data', 'Restore a project deleted by mistake yesterday'],
  ['OPS', 'data', 'Audit log missing entries from the weekend'],
  ['OPS', 'access', 'Contractor still has access after offboarding'],
  ['OPS', 'access', 'Grant read-only access to our auditors'],
];

const PRIORITIES = ['Low', 'Medium', 'Medium', 'High', 'Urgent'];
const PEOPLE = ['ana', 'ben', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana'];

/** create_ticket's arguments for each issue; due dates from two days ago (overdue) to a week ahead. */
export function ticketsToCreate(now = Date.now()): Record<string, unknown>[] {
  return ISSUES.map(([teamId, , title], i) => ({
    title,
    teamId,
    requestorEmail: `${PEOPLE[i % PEOPLE.length]}@customer.example`,
    requestorFirstName: PEOPLE[i % PEOPLE.length]!.replace(/^./, (c) => c.toUpperCase()),
    description: `${title}. Reported through the help widget; the customer is waiting for an answer.`,
    priorityName: PRIORITIES[(i * 7) % PRIORITIES.length],
    ...(i % 3 === 0 && { dueDate: new Date(now + ((i % 9) - 2) * 86_400_000).toISOString() }),
    source: i % 2 === 0 ? 'email' : 'chat',
  }));
}

export const tagOf = (i: number) => ISSUES[i]![1];

/** What the scripted agents say as they work. */
export const NOTES = ['Looking into this now.', 'Reproduced it on a test account.', 'Checked the logs; found the cause.', 'Asked the customer for a screenshot.'];
export const FIXES = ['Fixed and confirmed with the customer.', 'Applied the change; the customer confirmed it works.', 'Answered with the steps; nothing else needed.'];
