import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
import type { ChatMessage, GenerateRequest } from '../language-model.js';

/** Bump when the hashed form changes meaning, so old cache entries stop matching. */
const requestHashVersion = 1;

export interface HashedRequest {
  /** sha256 of `json`: the cache key. */
  hash: string;
  /** Canonical JSON of what was hashed: images as digests, never a key. Stored in the call log. */
  json: string;
}

/**
 * The stable identity of a request to a model: model id, messages (each image replaced by the
 * sha256 of its bytes), every sampling parameter and the schema, in canonical JSON. New fields of
 * GenerateRequest join the hash automatically because the request is spread, not picked.
 */
export function hashRequest(modelId: string, request: GenerateRequest): HashedRequest {
  const json = canonicalJson({
    version: requestHashVersion,
    model: modelId,
    request: {
      ...request,
      messages: request.messages.map(hashableMessage),
      // Spellings of "the default" hash alike.
      n: request.n === 1 ? undefined : request.n,
      stop: request.stop?.length ? request.stop : undefined,
      logprobs: request.logprobs ? true : undefined,
    },
  });
  return { hash: sha256Hex(json), json };
}

function hashableMessage(message: ChatMessage): unknown {
  if (typeof message.content === 'string') return message;
  return {
    role: message.role,
    content: message.content.map((part) =>
      part.type === 'text'
        ? part
        : {
            type: 'image',
            mediaType: part.mediaType,
            bytes: part.data.byteLength,
            sha256: sha256Hex(part.data),
          },
    ),
  };
}
