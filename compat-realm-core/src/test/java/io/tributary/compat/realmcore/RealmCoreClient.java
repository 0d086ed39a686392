package io.tributary.compat.realmcore;

import io.realm.kotlin.internal.interop.CoreLogLevel;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.sync.MetadataMode;
import io.realm.kotlin.internal.interop.sync.ProgressDirection;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real realm-core 13.19.0 client (librealmc.so from realm-kotlin's cinterop-jvm 1.11.0): what
 * its wrappers do differently from realm-core 14's ({@link RealmCoreDriver} has the rest), plus the
 * custom-JWT and email/password logins and the upload progress notifier, which only this module's
 * tests use.
 */
final class RealmCoreClient extends RealmCoreDriver {
  static {
    I.realm_set_log_callback(CoreLogLevel.RLM_LOG_LEVEL_DEBUG, (level, message) -> logLine(String.valueOf(level), message));
  }

  /**
   * An App with base URL {@code baseUrl} and id {@code appId}, its metadata and realm files under
   * {@code dir}. In realm-core 13 the sync client config carries the metadata settings and is
   * handed to {@code realm_app_get}.
   */
  @SuppressWarnings("unchecked")
  RealmCoreClient(String baseUrl, String appId, Path dir) {
    super("realm-core-client");
    NativePointer<?> nativeTransport = I.realm_network_transport_new(transport);
    NativePointer<?> appConfig =
        I.realm_app_config_new(appId, (NativePointer) nativeTransport, baseUrl, connectionParams("1.11.0"));
    NativePointer<?> clientConfig = I.realm_sync_client_config_new();
    I.realm_sync_client_config_set_base_file_path(cast(clientConfig), dir.toString());
    I.realm_sync_client_config_set_metadata_mode(cast(clientConfig), MetadataMode.RLM_SYNC_CLIENT_METADATA_MODE_PLAINTEXT);
    app = I.realm_app_get(cast(appConfig), cast(clientConfig), dir.toString());
  }

  /** Logs in with a custom JWT (the SDK's JWT credentials). */
  void logInWithJwt(String jwt) throws Exception {
    logIn(I.realm_app_credentials_new_jwt(jwt));
  }

  /** Logs in with email and password (a provider Tributary does not offer). */
  void logInWithEmailPassword(String email, String password) throws Exception {
    logIn(I.realm_app_credentials_new_email_password(email, password));
  }

  /**
   * Waits until realm-core's upload progress notifier reports every uploadable byte of local
   * changes as uploaded. The notifier's first report can lag behind an upload completion that was
   * already signalled (both are updated from the same DOWNLOAD message), so this waits for the
   * condition instead of reading one snapshot.
   *
   * @return the last report, {@code [transferred, transferable]} bytes
   */
  long[] awaitUploadDrained(long timeout, TimeUnit unit) throws Exception {
    CompletableFuture<long[]> drained = new CompletableFuture<>();
    long[] last = new long[2];
    NativePointer<?> session = onRealmThread(() -> I.realm_sync_session_get(cast(realm)));
    try {
      NativePointer<?> token = onRealmThread(() -> I.realm_sync_session_register_progress_notifier(cast(session),
          ProgressDirection.RLM_SYNC_PROGRESS_DIRECTION_UPLOAD, true, (transferred, transferable) -> {
            synchronized (last) {
              last[0] = transferred;
              last[1] = transferable;
            }
            if (transferred == transferable) {
              drained.complete(new long[] {transferred, transferable});
            }
          }));
      try {
        return drained.get(timeout, unit);
      } catch (java.util.concurrent.TimeoutException e) {
        synchronized (last) {
          return last.clone();
        }
      } finally {
        release(token);
      }
    } finally {
      release(session);
    }
  }
}
