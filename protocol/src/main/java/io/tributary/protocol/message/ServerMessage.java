package io.tributary.protocol.message;

/** A message a server sends to a client (spec protocol.md §4.3). */
public sealed interface ServerMessage extends Message
    permits ServerIdentMessage,
        DownloadMessage,
        MarkMessage,
        UnboundMessage,
        PongMessage,
        ErrorMessage,
        JsonErrorMessage,
        QueryErrorMessage,
        LogMessage,
        TestCommandMessage {}
