import type { EgressRecorder } from '../models/egress-record.js';
import {
  checkEndpoint,
  type Endpoint,
  type LookupAddresses,
  type NetworkEndpoint,
} from './endpoint-check.js';
import { pinnedFetch } from './pinned-fetch.js';
import type { PrivacyPolicy } from './policy.js';

export interface EndpointGuardOptions {
  /** Where every HTTP request of the guarded models is recorded (a run store's `egress`). */
  egress?: EgressRecorder;
  /** Replaces DNS, for tests. */
  lookup?: LookupAddresses;
}

/**
 * A run's privacy policy at the network edge. Each spec is checked once (the first check resolves
 * and pins its address, later ones return the same answer), and every server model built for the
 * run uses a fetch bound to its pinned endpoint.
 */
export class EndpointGuard {
  readonly policy: PrivacyPolicy;
  readonly #options: EndpointGuardOptions;
  readonly #checked = new Map<string, Promise<Endpoint>>();

  constructor(policy: PrivacyPolicy, options: EndpointGuardOptions = {}) {
    this.policy = policy;
    this.#options = options;
  }

  /** Checks `spec` against the policy (once), throwing PrivacyError when it is not allowed. */
  check(spec: string, role?: string): Promise<Endpoint> {
    let checked = this.#checked.get(spec);
    if (!checked) {
      checked = checkEndpoint(spec, this.policy, {
        ...(role === undefined ? {} : { role }),
        ...(this.#options.lookup ? { lookup: this.#options.lookup } : {}),
      });
      // A refusal is not cached: the next check names its own role.
      checked.catch(() => this.#checked.delete(spec));
      this.#checked.set(spec, checked);
    }
    return checked;
  }

  /** The fetch a server model for this endpoint must use. */
  fetchFor(endpoint: NetworkEndpoint, modelId: string): typeof fetch {
    return pinnedFetch({
      endpoint,
      modelId,
      ...(this.#options.egress ? { recorder: this.#options.egress } : {}),
    });
  }
}
