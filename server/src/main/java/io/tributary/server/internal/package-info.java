/** Internal-use-only: the server's implementation; no compatibility promises. */
package io.tributary.server.internal;
