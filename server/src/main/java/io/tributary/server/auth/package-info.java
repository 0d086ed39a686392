/**
 * Authentication settings of the ingest server: {@link io.tributary.server.auth.AuthConfig}. The
 * server issues and verifies its own HS256 JWTs (spec protocol.md §2.5) for the App Services
 * login providers {@code anon-user}, {@code api-key} and {@code custom-token}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.server.auth;
