import { addComment } from './add_comment.js';
import { addTag } from './add_tag.js';
import { assignTicket } from './assign_ticket.js';
import { claimNextTicket } from './claim_next_ticket.js';
import { completeTicket } from './complete_ticket.js';
import { createAgent } from './create_agent.js';
import { createTag } from './create_tag.js';
import { createTeam } from './create_team.js';
import { createTicket } from './create_ticket.js';
import { deleteTicket } from './delete_ticket.js';
import { getTicket } from './get_ticket.js';
import { getTicketHistory } from './get_ticket_history.js';
import { linkTickets } from './link_tickets.js';
import { listAgents } from './list_agents.js';
import { listTags } from './list_tags.js';
import { listTeams } from './list_teams.js';
import { listTickets } from './list_tickets.js';
import { releaseTicket } from './release_ticket.js';
import { removeTag } from './remove_tag.js';
import { restoreTicket } from './restore_ticket.js';
import { setTicketStatus } from './set_ticket_status.js';
import { takeover } from './takeover.js';
import { unlinkTickets } from './unlink_tickets.js';
import { updateAgent } from './update_agent.js';
import { updateTag } from './update_tag.js';
import { updateTicket } from './update_ticket.js';
import { isShown, type Surface, type Tool } from './tool.js';

/** Every tool, in the order tools/list shows them: the design card's five first. */
export const tools: readonly Tool[] = [
  createTicket,
  assignTicket,
  completeTicket,
  addTag,
  takeover,
  getTicket,
  listTickets,
  updateTicket,
  setTicketStatus,
  addComment,
  removeTag,
  getTicketHistory,
  deleteTicket,
  restoreTicket,
  claimNextTicket,
  releaseTicket,
  linkTickets,
  unlinkTickets,
  createAgent,
  updateAgent,
  listAgents,
  createTeam,
  listTeams,
  createTag,
  updateTag,
  listTags,
];

export function selectTools(surface: Surface = {}): readonly Tool[] {
  return tools.filter((tool) => isShown(surface, { toolset: tool.toolset, readOnly: tool.annotations.readOnlyHint }));
}
