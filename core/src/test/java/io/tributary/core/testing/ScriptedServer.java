package io.tributary.core.testing;

import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.MessageDecoder;
import io.tributary.protocol.message.PingMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UploadMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A minimal ingest server behind a {@link FakeTransport} (spec protocol.md §7.4, §8.3): accepts
 * every connection, allocates a client file on BIND, answers IDENT with the file's progress,
 * integrates UPLOADs (skipping client versions already integrated) and acknowledges them, answers
 * UNBIND and PING. {@link #onUpload} can replace the answer to an UPLOAD (e.g. with an error).
 * Thread safe.
 */
public final class ScriptedServer {
  private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
  private final List<Long> integrated = new ArrayList<>();
  private long fileIdent = 2;
  private long salt = 4242;
  private long sv;
  private long icv;
  private long upCv;
  private long upSv;
  private boolean accept = true;
  private Function<UploadMessage, String> onUpload;

  /** Attaches this server to {@code transport}. */
  public ScriptedServer(FakeTransport transport) {
    transport.onConnect(this::connected);
  }

  /** Stops (or resumes) accepting connections: new attempts stay pending. */
  public synchronized void accepting(boolean accept) {
    this.accept = accept;
  }

  /** Answers UPLOADs with {@code f}'s message instead (null: the normal acknowledgement). */
  public synchronized void onUpload(Function<UploadMessage, String> f) {
    this.onUpload = f;
  }

  /** Client versions integrated so far, in order, each once. */
  public synchronized List<Long> integrated() {
    return new ArrayList<>(integrated);
  }

  private void connected(FakeTransport.Connection c) {
    synchronized (this) {
      if (!accept) {
        return;
      }
    }
    c.onSend(bytes -> answer(c, bytes));
    c.accept();
  }

  private void answer(FakeTransport.Connection c, byte[] bytes) {
    String reply;
    synchronized (this) {
      ClientMessage m = decoder.decodeClientMessage(ByteBuffer.wrap(bytes));
      reply = reply(m);
    }
    if (reply != null) {
      c.deliver(reply);
    }
  }

  private String reply(ClientMessage m) {
    if (m instanceof BindMessage b) {
      return b.needClientFileIdent() ? "ident " + b.sessionIdent() + " " + fileIdent + " " + salt
          + "\n" : null;
    }
    if (m instanceof ClientIdentMessage i) {
      return download(i.sessionIdent());
    }
    if (m instanceof UploadMessage u) {
      if (onUpload != null) {
        String r = onUpload.apply(u);
        if (r != null) {
          return r;
        }
      }
      boolean fresh = false;
      for (UploadMessage.Entry e : u.entries()) {
        if (e.clientVersion() > icv) {
          icv = e.clientVersion();
          sv++;
          integrated.add(e.clientVersion());
          fresh = true;
        }
      }
      if (u.progressClientVersion() > upCv) {
        upCv = u.progressClientVersion();
        upSv = u.progressServerVersion();
      }
      return fresh ? download(u.sessionIdent()) : null;
    }
    if (m instanceof UnbindMessage ub) {
      return "unbound " + ub.sessionIdent() + "\n";
    }
    if (m instanceof PingMessage p) {
      return "pong " + p.timestampMs() + "\n";
    }
    return null;
  }

  private String download(long session) {
    long s = sv == 0 ? 0 : 1000 + sv;
    return "download " + session + " " + sv + " " + icv + " " + sv + " " + s + " " + upCv + " "
        + upSv + " 0 2 1 0 0 0\n";
  }
}
