import type { AnyHttpDefinition } from "./http/defineHttp.js";
import type { TimerDefinition } from "./timer/defineTimer.js";
import { postConversationEvent } from "./postConversationEvent.js";
import { postConversationEventBatch } from "./postConversationEventBatch.js";
import { getConversation } from "./getConversation.js";
import { postAnalyticsEvents } from "./postAnalyticsEvents.js";
import { getScreenPop } from "./getScreenPop.js";
import { putDirectoryRecord } from "./putDirectoryRecord.js";
import { lookupDirectory } from "./lookupDirectory.js";
import { negotiate } from "./negotiate.js";
import { getAgentMe } from "./getAgentMe.js";
import { listAgentScreenPops } from "./listAgentScreenPops.js";
import { ackScreenPop } from "./ackScreenPop.js";
import { listAgentRecords } from "./listAgentRecords.js";
import { getAgentRecord } from "./getAgentRecord.js";
import { putAgentRecord } from "./putAgentRecord.js";
import { deleteAgentRecord } from "./deleteAgentRecord.js";
import { postAgentActivity } from "./postAgentActivity.js";
import { patchAgentActivity } from "./patchAgentActivity.js";
import { listRecordActivities } from "./listRecordActivities.js";
import { searchAgentDirectory } from "./searchAgentDirectory.js";
import { getOpenApiDocument } from "./getOpenApiDocument.js";
import { getHealth } from "./health.js";
import { listAgentPanels } from "./listAgentPanels.js";
import { putPresence } from "./putPresence.js";
import { getPresence } from "./getPresence.js";
import { getAgentPresence } from "./getAgentPresence.js";
import { putAgentPresence } from "./putAgentPresence.js";
import { postActivity } from "./postActivity.js";
import { getActivity } from "./getActivity.js";
import { listDirectoryRecordActivities } from "./listDirectoryRecordActivities.js";
import { deleteDirectoryRecord } from "./deleteDirectoryRecord.js";
import { postDirectoryBatch } from "./postDirectoryBatch.js";
import { putWebhookEndpoint } from "./putWebhookEndpoint.js";
import { getWebhookEndpoint } from "./getWebhookEndpoint.js";
import { deleteWebhookEndpoint } from "./deleteWebhookEndpoint.js";
import { rotateWebhookSecret } from "./rotateWebhookSecret.js";
import { listWebhookDeliveries } from "./listWebhookDeliveries.js";
import { getWebhookDelivery } from "./getWebhookDelivery.js";
import { postAgentClickToAct } from "./postAgentClickToAct.js";
import { runWebhookRetries } from "./runWebhookRetries.js";
import { getKpis } from "./getKpis.js";
import { exportFacts } from "./exportFacts.js";
import { getAgentKpis } from "./getAgentKpis.js";
import { exportAgentFacts } from "./exportAgentFacts.js";
import { getAgentKpiSettings } from "./getAgentKpiSettings.js";
import { putAgentKpiSettings } from "./putAgentKpiSettings.js";
import { runKpiProjection } from "./runKpiProjection.js";
import { putIntegrationWebhookEndpoint } from "./putIntegrationWebhookEndpoint.js";
import { getIntegrationWebhookEndpoint } from "./getIntegrationWebhookEndpoint.js";
import { deleteIntegrationWebhookEndpoint } from "./deleteIntegrationWebhookEndpoint.js";
import { rotateIntegrationWebhookSecret } from "./rotateIntegrationWebhookSecret.js";
import { listIntegrationWebhookDeliveries } from "./listIntegrationWebhookDeliveries.js";
import { getIntegrationWebhookDelivery } from "./getIntegrationWebhookDelivery.js";
import { listIntegrationActivities } from "./listIntegrationActivities.js";
import { postIntegrationAgentToken } from "./postIntegrationAgentToken.js";
import { getIntegrationSettings } from "./getIntegrationSettings.js";
import { putIntegrationSettings } from "./putIntegrationSettings.js";
import { purgeAgentTokens } from "./purgeAgentTokens.js";
import { postAgentConversationEvent } from "./postAgentConversationEvent.js";
import { webPubSubEvents } from "./webPubSubEvents.js";
import { listAgents } from "./listAgents.js";
import { putPartnerUser } from "./putPartnerUser.js";
import { getPartnerUser } from "./getPartnerUser.js";
import { deletePartnerUser } from "./deletePartnerUser.js";
import { postScreenPop } from "./postScreenPop.js";

/** Every HTTP function, once: the Azure entry, the local host and the OpenAPI document all read this list. */
export const httpFunctions: readonly AnyHttpDefinition[] = [
  postConversationEvent,
  postConversationEventBatch,
  getConversation,
  postAnalyticsEvents,
  getKpis,
  exportFacts,
  getScreenPop,
  lookupDirectory,
  putDirectoryRecord,
  negotiate,
  getAgentMe,
  listAgentScreenPops,
  ackScreenPop,
  searchAgentDirectory,
  listAgentRecords,
  getAgentRecord,
  putAgentRecord,
  deleteAgentRecord,
  postAgentActivity,
  patchAgentActivity,
  listRecordActivities,
  getOpenApiDocument,
  getHealth,
  listAgentPanels,
  putPresence,
  getPresence,
  getAgentPresence,
  putAgentPresence,
  postActivity,
  getActivity,
  listDirectoryRecordActivities,
  deleteDirectoryRecord,
  postDirectoryBatch,
  putWebhookEndpoint,
  getWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookSecret,
  listWebhookDeliveries,
  getWebhookDelivery,
  postAgentClickToAct,
  getAgentKpis,
  exportAgentFacts,
  getAgentKpiSettings,
  putAgentKpiSettings,
  putIntegrationWebhookEndpoint,
  getIntegrationWebhookEndpoint,
  rotateIntegrationWebhookSecret,
  listIntegrationWebhookDeliveries,
  getIntegrationWebhookDelivery,
  deleteIntegrationWebhookEndpoint,
  listIntegrationActivities,
  postIntegrationAgentToken,
  getIntegrationSettings,
  putIntegrationSettings,
  postAgentConversationEvent,
  webPubSubEvents,
  listAgents,
  putPartnerUser,
  getPartnerUser,
  deletePartnerUser,
  postScreenPop,
];

/** Every timer function, once: the Azure entry registers each with `app.timer`, the local stack runs them. */
export const timerFunctions: readonly TimerDefinition[] = [runWebhookRetries, runKpiProjection, purgeAgentTokens];
