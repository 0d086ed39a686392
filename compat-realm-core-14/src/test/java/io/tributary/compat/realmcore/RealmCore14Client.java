package io.tributary.compat.realmcore;

import io.realm.kotlin.internal.interop.CoreLogLevel;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.sync.MetadataMode;
import java.nio.file.Path;

/**
 * The real realm-core 14.12.0 client (librealmc.so from realm-kotlin's cinterop-jvm 2.3.0): what
 * its wrappers do differently from realm-core 13's; {@link RealmCoreDriver} (compiled from
 * compat-realm-core's test sources against this module's wrappers) has the rest. The sync client
 * uses realm-core's built-in WebSocket (its {@code DefaultSocketProvider}): no {@code
 * realm_sync_set_websocket_transport} is installed.
 *
 * <p>Where the C API changed in realm-core 14: the App config owns the metadata settings ({@code
 * realm_app_get} takes no sync client config), and the log callback has a category and its level
 * is set apart. The progress notifier reports an estimate instead of byte counts; it is not used
 * here (with these wrappers it never fired, see docs/realm-core-client.md).
 */
final class RealmCore14Client extends RealmCoreDriver {
  static {
    I.realm_set_log_callback((level, category, message) -> logLine(level + " " + category, message));
    I.realm_set_log_level(CoreLogLevel.RLM_LOG_LEVEL_DEBUG);
    // the storage layer's debug lines (file opens, schema steps) would drown the sync client's
    I.realm_set_log_level_category("Realm.Storage", CoreLogLevel.RLM_LOG_LEVEL_INFO);
  }

  /**
   * An App with base URL {@code baseUrl} and id {@code appId}, its metadata and realm files under
   * {@code dir}.
   */
  RealmCore14Client(String baseUrl, String appId, Path dir) {
    super("realm-core-14-client");
    NativePointer<?> nativeTransport = I.realm_network_transport_new(transport);
    NativePointer<?> appConfig = I.realm_app_config_new(appId, cast(nativeTransport), baseUrl, connectionParams("2.3.0"));
    I.realm_app_config_set_base_file_path(cast(appConfig), dir.toString());
    I.realm_app_config_set_metadata_mode(cast(appConfig), MetadataMode.RLM_SYNC_CLIENT_METADATA_MODE_PLAINTEXT);
    app = I.realm_app_get(cast(appConfig), dir.toString());
  }
}
