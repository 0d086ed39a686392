package io.tributary.server.internal.session;

import io.tributary.protocol.message.CodecConfig;
import io.tributary.server.AppSchema;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Settings of an {@link IngestEngine}.
 *
 * @param appId the app
 * @param schema the configured app schema (empty if none)
 * @param developmentMode whether unknown classes and properties are adopted from clients
 * @param codec message limits (the protocol version is set per connection)
 * @param maxSessionsPerConnection sessions a connection may have open
 * @param maxQueuedBytesPerConnection received bytes waiting for the ingest thread before the
 *     connection's reading pauses
 * @param maxQueuedMessagesPerConnection received messages waiting before reading pauses
 * @param clientFileCacheSize client-file states cached
 * @param stateRecovery whether IDENT cursors ahead of the server are adopted when their salts
 *     validate (spec §7.4) instead of forcing a client reset
 * @param checkFileOwner whether a client file may only be bound by the user that allocated it
 *     (223 otherwise)
 * @param errorLogUrl the {@code logURL} of every JSON_ERROR sent (realm-core shows it to the app
 *     after "Logs: "), or {@code ""}
 * @param clock wall clock (origin timestamps of bootstraps, allocation times)
 * @param timer runs token-expiry closes
 */
public record EngineSettings(
    String appId,
    AppSchema schema,
    boolean developmentMode,
    CodecConfig codec,
    int maxSessionsPerConnection,
    long maxQueuedBytesPerConnection,
    int maxQueuedMessagesPerConnection,
    int clientFileCacheSize,
    boolean stateRecovery,
    boolean checkFileOwner,
    String errorLogUrl,
    Clock clock,
    ScheduledExecutorService timer) {}
