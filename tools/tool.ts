import type { ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Caller } from '../src/service/context.js';
import type { TicketService } from '../src/service/service.js';
import type { Result } from '../src/service/deps.js';

/** Tools come in sets that a deployment can switch on or off together. */
export const TOOLSETS = ['tickets', 'comments', 'tags', 'directory'] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** All four MCP hints, always declared: clients use them to decide what needs confirmation. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface Tool<I extends z.ZodObject = z.ZodObject, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  /** For the model: what it does, when to use it or another tool, the forms arguments take, an example. */
  description: string;
  toolset: Toolset;
  annotations: ToolAnnotations;
  /** Strict: an unknown argument is a VALIDATION_ERROR, never silently dropped. */
  input: I;
  /** The data of a successful envelope. */
  output: O;
  run(service: TicketService, caller: Caller, args: z.infer<I>): Promise<Result<z.infer<O>>>;
  /** A resource the answer points to, sent as a resource_link beside the envelope. */
  link?(data: z.infer<O>): ResourceLink;
}

export const defineTool = <I extends z.ZodObject, O extends z.ZodType>(tool: Tool<I, O>): Tool<I, O> => tool;

/** The tickets are a closed world: no tool reaches outside this database. */
export const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const ADD: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
export const SET: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const OVERWRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

/** `tickets,tags` → the toolsets, or an error naming the valid ones. */
export function parseToolsets(text: string): Toolset[] {
  const names = text.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(TOOLSETS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`unknown toolset ${unknown.join(', ') || '(none given)'}; toolsets are ${TOOLSETS.join(', ')}`);
  }
  return names as Toolset[];
}

/** What a deployment shows a model: everything, or only reads, or only some toolsets. */
export interface Surface {
  readOnly?: boolean;
  toolsets?: readonly Toolset[];
}

export const isShown = (surface: Surface, tool: { toolset: Toolset; readOnly: boolean }) =>
  (!surface.readOnly || tool.readOnly) && (!surface.toolsets || surface.toolsets.includes(tool.toolset));
