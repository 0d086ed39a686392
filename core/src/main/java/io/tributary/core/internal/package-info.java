/**
 * Internal use only, not API: the write path ({@link io.tributary.core.internal.WriteEngine},
 * per-thread transaction contexts and pooled writers over the protocol's {@link
 * io.tributary.protocol.changeset.ChangesetWriter}), the compiled schema model, schema changesets
 * and the stored-schema codec, the {@link io.tributary.core.internal.Committer} and its {@link
 * io.tributary.core.internal.CommitListener} seam for the sync session.
 */
package io.tributary.core.internal;
