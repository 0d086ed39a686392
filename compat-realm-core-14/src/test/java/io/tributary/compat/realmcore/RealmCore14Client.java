package io.tributary.compat.realmcore;

import io.realm.kotlin.internal.interop.CoreLogLevel;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.ProgressCallback;
import io.realm.kotlin.internal.interop.sync.MetadataMode;
import io.realm.kotlin.internal.interop.sync.ProgressDirection;
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
 * is set apart. The progress notifier reports an estimate instead of byte counts, and in a Flexible
 * Sync session calls back only after a DOWNLOAD for a query version above 0 (see {@link
 * #registerProgressNotifier} and docs/realm-core-client.md).
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

  /**
   * Registers a progress notifier on the open realm's session
   * ({@code realm_sync_session_register_progress_notifier}, as the Kotlin SDK's
   * {@code progressAsFlow}): realm-core calls {@code callback} with its estimate in 0..1 on its
   * sync client thread. The token is released when the realm closes (an unreleased token keeps
   * the session alive, like a session handle). In a Flexible Sync session realm-core 14 calls
   * back only once a DOWNLOAD for a query version above 0 arrived ({@link
   * #commitEmptySubscriptionSet}); before that it stays silent, whatever the server sends.
   *
   * @param upload upload progress if true, download progress if false
   * @param streaming report indefinitely if true; if false, realm-core reports until what was
   *     transferable at registration has been transferred, then drops the notifier
   */
  void registerProgressNotifier(boolean upload, boolean streaming, ProgressCallback callback) throws Exception {
    onRealmThread(() -> {
      NativePointer<?> session = I.realm_sync_session_get(cast(realm));
      try {
        releaseAtClose(I.realm_sync_session_register_progress_notifier(cast(session),
            upload ? ProgressDirection.RLM_SYNC_PROGRESS_DIRECTION_UPLOAD
                : ProgressDirection.RLM_SYNC_PROGRESS_DIRECTION_DOWNLOAD,
            streaming, callback));
      } finally {
        session.release();
      }
      return null;
    });
  }

  /**
   * Commits a new, empty subscription set (as an SDK's {@code subscriptions.update {}} with no
   * query): realm-core sends a QUERY with the next query version and {@code {}}.
   *
   * @return the committed set's query version
   */
  long commitEmptySubscriptionSet() throws Exception {
    return onRealmThread(() -> {
      NativePointer<?> latest = I.realm_sync_get_latest_subscriptionset(cast(realm));
      NativePointer<?> mutable = I.realm_sync_make_subscriptionset_mutable(cast(latest));
      NativePointer<?> committed = I.realm_sync_subscriptionset_commit(cast(mutable));
      try {
        return I.realm_sync_subscriptionset_version(cast(committed));
      } finally {
        committed.release();
        mutable.release();
        latest.release();
      }
    });
  }
}
