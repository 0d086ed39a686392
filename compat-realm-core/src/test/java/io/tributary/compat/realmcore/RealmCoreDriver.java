package io.tributary.compat.realmcore;

import io.realm.kotlin.internal.interop.AppCallback;
import io.realm.kotlin.internal.interop.ClassInfo;
import io.realm.kotlin.internal.interop.CollectionType;
import io.realm.kotlin.internal.interop.CoreError;
import io.realm.kotlin.internal.interop.JvmMemTrackingAllocator;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.PropertyInfo;
import io.realm.kotlin.internal.interop.PropertyType;
import io.realm.kotlin.internal.interop.RealmInterop;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.SchemaMode;
import io.realm.kotlin.internal.interop.SyncConnectionParams;
import io.realm.kotlin.internal.interop.Timestamp;
import io.realm.kotlin.internal.interop.sync.AppError;
import io.realm.kotlin.internal.interop.sync.SyncError;
import io.tributary.compat.realmcore.Readings.Reading;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import kotlin.Pair;
import kotlinx.coroutines.ExecutorsKt;

/**
 * What the realm-core 13 and 14 drivers ({@code RealmCoreClient}, {@code RealmCore14Client}) have in
 * common: the real realm-core client (librealmc.so from realm-kotlin's cinterop-jvm) driven the way
 * the Kotlin SDK drives it: an App with our HTTP transport, a login, a Flexible Sync realm with an
 * asymmetric class, writes, and a wait for upload completion. Nothing of Tributary's client runs
 * here.
 *
 * <p>This source is compiled twice, in {@code compat-realm-core} against cinterop-jvm 1.11.0
 * (realm-core 13.19.0) and in {@code compat-realm-core-14} against 2.3.0 (realm-core 14.12.0):
 * what is here uses only wrapper calls that both have with the same signature. A subclass installs
 * the log callback ({@link #logLine}) and creates the App ({@link #app}), where the C API changed in
 * realm-core 14.
 *
 * <p>Not thread safe: one test thread uses an instance. Callbacks from realm-core's threads only
 * complete futures and append to thread-safe lists.
 */
abstract class RealmCoreDriver implements AutoCloseable {
  static final RealmInterop I = RealmInterop.INSTANCE;

  /** RealmInterop methods by name, without the suffix Kotlin adds for inline-class parameters. */
  private static final Map<String, Method> METHODS = new ConcurrentHashMap<>();

  /**
   * realm-core's log (debug level and up), for every client in this JVM: realm-core has one
   * process-wide logger. Lines are also printed to stdout, where surefire keeps them per test.
   */
  static final List<String> CORE_LOG = new CopyOnWriteArrayList<>();

  private static final long LOADED_NANOS = System.nanoTime();

  /** Keeps and prints one line of realm-core's log (the subclasses' log callbacks call this). */
  static void logLine(String prefix, String message) {
    CORE_LOG.add(message);
    long ms = (System.nanoTime() - LOADED_NANOS) / 1_000_000;
    System.out.println("[realm-core " + prefix + " +" + ms + " ms] " + message);
  }

  /** Waits until a line of {@link #CORE_LOG} contains {@code text}; false if none did in time. */
  static boolean awaitLog(String text, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (CORE_LOG.stream().noneMatch(l -> l.contains(text))) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(10); // polling a condition with a deadline, not waiting a fixed time
    }
    return true;
  }

  /** A login realm-core reported as failed, with its AppError. */
  static final class LoginException extends Exception {
    private static final long serialVersionUID = 1L;
    final transient AppError error;

    LoginException(AppError error) {
      super("login failed: " + error);
      this.error = error;
    }
  }

  final JdkHttpTransport transport = new JdkHttpTransport();
  final List<SyncError> syncErrors = new CopyOnWriteArrayList<>();
  /** The App; set by the subclass's constructor. */
  protected NativePointer<?> app;
  private NativePointer<?> user;
  protected NativePointer<?> realm;
  private long readingClass;
  private final Map<String, Long> columns = new ConcurrentHashMap<>();
  /** Handles released on the realm's thread just before it closes (realm thread only). */
  private final List<NativePointer<?>> releaseAtClose = new ArrayList<>();

  /**
   * Schedulers (and their realm threads) of every client, for the JVM's lifetime. realm-kotlin's
   * scheduler posts realm-core's notifications to its dispatcher as tasks holding a raw pointer
   * into the scheduler; a task still queued when the last reference to the scheduler went away
   * crashed the JVM (SIGSEGV in {@code invoke_core_notify_callback}, after the realm closed and
   * the cleaner released an unreferenced scheduler handle). So the scheduler is never released
   * and its thread never stopped: an idle daemon thread per client.
   */
  private static final List<Object> KEEP_ALIVE = new CopyOnWriteArrayList<>();

  /**
   * The realm's thread. realm-core checks that a realm is used on its scheduler's thread; the
   * scheduler (realm-kotlin's, on a coroutine dispatcher) belongs to this one. Never shut down
   * (see {@link #KEEP_ALIVE}).
   */
  private final ExecutorService realmThread;

  /** @param threadName the name of the realm's thread */
  protected RealmCoreDriver(String threadName) {
    realmThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** The connection parameters an SDK of version {@code sdkVersion} sends. */
  static SyncConnectionParams connectionParams(String sdkVersion) {
    return new SyncConnectionParams(sdkVersion, "io.tributary.compat", "17", "compat-test",
        "1", SyncConnectionParams.Runtime.JVM, System.getProperty("java.version"));
  }

  /** Logs in anonymously. */
  void logInAnonymously() throws Exception {
    logIn(I.realm_app_credentials_new_anonymous(true));
  }

  /** Logs in with a server API key. */
  void logInWithApiKey(String key) throws Exception {
    logIn(I.realm_app_credentials_new_api_key(key));
  }

  protected void logIn(NativePointer<?> credentials) throws Exception {
    CompletableFuture<NativePointer<RealmUserT>> result = new CompletableFuture<>();
    I.realm_app_log_in_with_credentials(cast(app), cast(credentials), new AppCallback<NativePointer<RealmUserT>>() {
      @Override
      public void onSuccess(NativePointer<RealmUserT> loggedIn) {
        result.complete(loggedIn);
      }

      @Override
      public void onError(AppError error) {
        result.completeExceptionally(new LoginException(error));
      }
    });
    try {
      user = result.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof LoginException login ? login : e;
    }
  }

  /**
   * Uses the user realm-core restored from its metadata realm (a previous App on the same
   * directory logged in), with the tokens it stored then.
   */
  void useCurrentUser() {
    user = I.realm_app_get_current_user(cast(app));
    if (user == null) {
      throw new IllegalStateException("no current user in the App's metadata");
    }
  }

  /** The logged-in user's id, as the server issued it. */
  String userId() {
    return I.realm_user_get_identity(cast(user));
  }

  /** Opens a Flexible Sync realm at {@code path} with the Reading (asymmetric) and Location (embedded) schema. */
  void openReadings(Path path) throws Exception {
    onRealmThread(() -> {
      open(path);
      return null;
    });
  }

  private void open(Path path) {
    List<Pair<ClassInfo, List<PropertyInfo>>> classes = new ArrayList<>();
    classes.add(new Pair<>(ClassInfo.Companion.create("Reading", "_id", 5, false, true), List.of(
        property("_id", PropertyType.RLM_PROPERTY_TYPE_OBJECT_ID, null, false, true),
        property("sensor", PropertyType.RLM_PROPERTY_TYPE_STRING, null, false, false),
        property("value", PropertyType.RLM_PROPERTY_TYPE_DOUBLE, null, false, false),
        property("ts", PropertyType.RLM_PROPERTY_TYPE_TIMESTAMP, null, false, false),
        property("location", PropertyType.RLM_PROPERTY_TYPE_OBJECT, "Location", true, false))));
    classes.add(new Pair<>(ClassInfo.Companion.create("Location", null, 2, true, false), List.of(
        property("lat", PropertyType.RLM_PROPERTY_TYPE_DOUBLE, null, false, false),
        property("lon", PropertyType.RLM_PROPERTY_TYPE_DOUBLE, null, false, false))));
    NativePointer<?> schema = I.realm_schema_new(classes);

    NativePointer<?> syncConfig = I.realm_flx_sync_config_new(cast(user));
    I.realm_sync_config_set_error_handler(cast(syncConfig), (session, error) -> syncErrors.add(error));

    NativePointer<?> config = I.realm_config_new();
    I.realm_config_set_path(cast(config), path.toString());
    I.realm_config_set_schema_mode(cast(config), SchemaMode.RLM_SCHEMA_MODE_ADDITIVE_DISCOVERED);
    I.realm_config_set_schema_version(cast(config), 0);
    I.realm_config_set_schema(cast(config), cast(schema));
    I.realm_config_set_sync_config(cast(config), cast(syncConfig));
    NativePointer<?> scheduler = I.realm_create_scheduler(ExecutorsKt.from(realmThread));
    KEEP_ALIVE.add(scheduler);
    KEEP_ALIVE.add(realmThread);
    Pair<?, ?> opened = I.realm_open(cast(config), cast(scheduler));
    realm = (NativePointer<?>) opened.getFirst();

    readingClass = (Long) call("ClassKey.unbox", call("realm_find_class", realm, "Reading"));
    for (String name : List.of("sensor", "value", "ts", "location")) {
      columns.put(name, (Long) call("realm_get_col_key", realm, readingClass, name));
    }
    long locationClass = (Long) call("ClassKey.unbox", call("realm_find_class", realm, "Location"));
    columns.put("lat", (Long) call("realm_get_col_key", realm, locationClass, "lat"));
    columns.put("lon", (Long) call("realm_get_col_key", realm, locationClass, "lon"));
  }

  private static PropertyInfo property(String name, PropertyType type, String linkTarget, boolean nullable,
      boolean primaryKey) {
    return PropertyInfo.Companion.create(name, "", type, CollectionType.RLM_COLLECTION_TYPE_NONE, linkTarget, "",
        nullable, primaryKey, primaryKey, false);
  }

  /** Writes {@code readings} in one write transaction. */
  void write(List<Reading> readings) throws Exception {
    onRealmThread(() -> {
      writeOnRealmThread(readings);
      return null;
    });
  }

  private void writeOnRealmThread(List<Reading> readings) {
    I.realm_begin_write(cast(realm));
    JvmMemTrackingAllocator values = new JvmMemTrackingAllocator();
    try {
      for (Reading r : readings) {
        Object object = call("realm_object_create_with_primary_key", realm, readingClass,
            call("objectIdTransport", values, (Object) r.id()));
        call("realm_set_value", object, columns.get("sensor"), call("stringTransport", values, r.sensor()), false);
        call("realm_set_value", object, columns.get("value"), call("doubleTransport", values, r.value()), false);
        call("realm_set_value", object, columns.get("ts"), call("timestampTransport", values, timestamp(r.ts())), false);
        Object location = call("realm_set_embedded", object, columns.get("location"));
        call("realm_set_value", location, columns.get("lat"), call("doubleTransport", values, r.lat()), false);
        call("realm_set_value", location, columns.get("lon"), call("doubleTransport", values, r.lon()), false);
      }
      I.realm_commit(cast(realm));
    } catch (RuntimeException e) {
      if (I.realm_is_in_transaction(cast(realm))) {
        I.realm_rollback(cast(realm));
      }
      throw e;
    } finally {
      values.free();
    }
  }

  private static Timestamp timestamp(Instant instant) {
    return new Timestamp() {
      @Override
      public long getSeconds() {
        return instant.getEpochSecond();
      }

      @Override
      public int getNanoSeconds() {
        return instant.getNano();
      }
    };
  }

  /**
   * Waits until realm-core says every local change was uploaded and acknowledged by the server
   * ({@code realm_sync_session_wait_for_upload_completion}).
   *
   * @return null on success, or the error realm-core reported
   */
  CoreError waitForUploadCompletion(long timeout, TimeUnit unit) throws Exception {
    CompletableFuture<CoreError> done = new CompletableFuture<>();
    onRealmThread(() -> {
      NativePointer<?> session = I.realm_sync_session_get(cast(realm));
      try {
        I.realm_sync_session_wait_for_upload_completion(cast(session), error -> done.complete(error));
      } finally {
        release(session);
      }
      return null;
    });
    return done.get(timeout, unit);
  }

  /**
   * Closes the realm (on its thread) and waits until realm-core's sync client has ended the
   * realm's session (UNBIND sent and answered, or the connection gone).
   */
  void closeRealm() throws Exception {
    if (realm != null) {
      onRealmThread(() -> {
        for (NativePointer<?> handle : releaseAtClose) {
          release(handle);
        }
        releaseAtClose.clear();
        I.realm_close(cast(realm));
        return null;
      });
      realm = null;
      I.realm_app_sync_client_wait_for_sessions_to_terminate(cast(app));
    }
  }

  /**
   * Closes the realm if open, then drops the App (realm-core's App cache and our handles), which
   * stops its sync client and closes its connection. The realm thread stays (see {@link
   * #KEEP_ALIVE}).
   */
  @Override
  public void close() throws Exception {
    try {
      closeRealm();
    } finally {
      if (user != null) {
        release(user);
        user = null;
      }
      I.realm_clear_cached_apps();
      release(app);
    }
  }

  /**
   * Releases a handle now instead of at garbage collection. A session handle keeps realm-core's
   * SyncSession alive: the session would not end when the realm closes. {@link
   * NativePointer#release()} marks the handle released, so realm-kotlin's cleaner thread does not
   * release it a second time (calling {@code realm_release} directly crashed the JVM that way).
   */
  static void release(NativePointer<?> pointer) {
    pointer.release();
  }

  /**
   * Releases {@code handle} on the realm's thread when the realm closes, before {@code realm_close}
   * (a progress notifier's token, for instance, keeps the session alive like a session handle).
   * Call on the realm's thread.
   */
  protected void releaseAtClose(NativePointer<?> handle) {
    releaseAtClose.add(handle);
  }

  protected <T> T onRealmThread(Callable<T> task) throws Exception {
    try {
      return realmThread.submit(task).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static NativePointer cast(NativePointer<?> pointer) {
    return (NativePointer) pointer;
  }

  /**
   * Calls a RealmInterop (or allocator, or inline-class) method by its Kotlin name. Kotlin gives
   * methods that take or return inline classes (ClassKey, PropertyKey, RealmValue) a mangled JVM
   * name ({@code realm_get_col_key-YCDox_g}) that Java source cannot name.
   */
  static Object call(String name, Object... args) {
    try {
      if (name.equals("ClassKey.unbox")) {
        return args[0].getClass().getMethod("unbox-impl").invoke(args[0]);
      }
      Object target = I;
      Object[] actual = args;
      Class<?> type = RealmInterop.class;
      if (name.endsWith("Transport")) {
        target = args[0];
        type = JvmMemTrackingAllocator.class;
        actual = java.util.Arrays.copyOfRange(args, 1, args.length);
      }
      Method method = find(type, name, actual.length);
      return method.invoke(target, actual);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(name + " failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(name + ": cannot call", e);
    }
  }

  private static Method find(Class<?> type, String name, int arity) {
    return METHODS.computeIfAbsent(type.getName() + "#" + name + "/" + arity, key -> {
      for (Method m : type.getMethods()) {
        String n = m.getName();
        if ((n.equals(name) || n.startsWith(name + "-")) && m.getParameterCount() == arity) {
          return m;
        }
      }
      throw new IllegalStateException("no method " + name + "/" + arity + " on " + type.getName());
    });
  }
}
