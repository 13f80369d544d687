import type { ConnectorFactory } from '../types.js';
import { authenticator } from './auth.js';
import type { ScimConnectionConfig } from './config.js';
import { ScimHttp } from './http.js';
import { scimProfiles } from './profiles/index.js';
import { ScimConnector } from './scim-connector.js';

export { scimConnectionSchema, DEFAULT_MAPPING, type ScimConnectionConfig } from './config.js';
export { ScimConnector } from './scim-connector.js';
export { scimProfiles, type ScimProfile, type ScimProfileName } from './profiles/index.js';

/** Connectors for `type: scim` targets: SaaS applications through their SCIM 2.0 API. */
export const scimConnectorFactory: ConnectorFactory<ScimConnectionConfig> = {
  kind: 'scim',
  create(config, context) {
    const http = new ScimHttp({
      baseUrl: config.baseUrl,
      targetId: context.targetId,
      auth: authenticator(config.auth, context.targetId, config.timeoutMs),
      timeoutMs: config.timeoutMs,
      concurrency: config.concurrency,
      maxRetries: config.maxRetries,
    });
    return new ScimConnector(http, config, scimProfiles[config.profile], context);
  },
};
