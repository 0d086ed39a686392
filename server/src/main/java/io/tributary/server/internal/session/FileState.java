package io.tributary.server.internal.session;

import io.tributary.server.proto.ClientFileRecord;

/**
 * What the server knows of a client file (spec protocol.md §7.3, §7.4). Immutable: a change makes
 * a new state, kept pending in a batch until the sink committed it.
 *
 * @param ident client file ident (≥ 2)
 * @param salt its salt
 * @param userId the user that allocated it
 * @param serverVersion sv(F)
 * @param integratedClientVersion icv(F): every client version up to it is integrated, the last
 *     integrated changeset's or an accepted UPLOAD's progress_client_version, whichever is higher
 *     (the spec's §7.4 model has the changeset's only; see {@code IngestEngine.upload})
 * @param uploadClientVersion up(F).client_version
 * @param uploadServerVersion up(F).server_version
 * @param lockedServerVersion the largest locked_server_version received
 * @param bootstrappedQueryVersion the highest query version bootstrapped, −1 for none
 * @param createdAtMs allocation time
 */
record FileState(
    long ident,
    long salt,
    String userId,
    long serverVersion,
    long integratedClientVersion,
    long uploadClientVersion,
    long uploadServerVersion,
    long lockedServerVersion,
    long bootstrappedQueryVersion,
    long createdAtMs) {

  static FileState allocated(long ident, long salt, String userId, long nowMs) {
    return new FileState(ident, salt, userId, 0, 0, 0, 0, 0, -1, nowMs);
  }

  static FileState of(ClientFileRecord r) {
    return new FileState(r.getIdent(), r.getSalt(), r.getUserId(), r.getServerVersion(),
        r.getIntegratedClientVersion(), r.getUploadClientVersion(), r.getUploadServerVersion(),
        r.getLockedServerVersion(), r.getBootstrappedQueryVersion(), r.getCreatedAtMs());
  }

  ClientFileRecord toRecord() {
    return ClientFileRecord.newBuilder()
        .setIdent(ident)
        .setSalt(salt)
        .setUserId(userId)
        .setServerVersion(serverVersion)
        .setIntegratedClientVersion(integratedClientVersion)
        .setUploadClientVersion(uploadClientVersion)
        .setUploadServerVersion(uploadServerVersion)
        .setLockedServerVersion(lockedServerVersion)
        .setBootstrappedQueryVersion(bootstrappedQueryVersion)
        .setCreatedAtMs(createdAtMs)
        .build();
  }

  FileState withVersions(long sv, long icv) {
    return new FileState(ident, salt, userId, sv, icv, uploadClientVersion, uploadServerVersion,
        lockedServerVersion, bootstrappedQueryVersion, createdAtMs);
  }

  FileState withUpload(long cv, long sv) {
    return new FileState(ident, salt, userId, serverVersion, integratedClientVersion, cv, sv,
        lockedServerVersion, bootstrappedQueryVersion, createdAtMs);
  }

  FileState withLocked(long locked) {
    return new FileState(ident, salt, userId, serverVersion, integratedClientVersion,
        uploadClientVersion, uploadServerVersion, locked, bootstrappedQueryVersion, createdAtMs);
  }

  FileState withBootstrap(long sv, long queryVersion) {
    return new FileState(ident, salt, userId, sv, integratedClientVersion, uploadClientVersion,
        uploadServerVersion, lockedServerVersion, queryVersion, createdAtMs);
  }
}
