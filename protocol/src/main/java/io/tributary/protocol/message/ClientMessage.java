package io.tributary.protocol.message;

/** A message a client sends to a server (spec protocol.md §4.3). */
public sealed interface ClientMessage extends Message
    permits BindMessage,
        ClientIdentMessage,
        QueryMessage,
        UploadMessage,
        MarkMessage,
        UnbindMessage,
        PingMessage,
        ClientJsonErrorMessage,
        TestCommandMessage {}
