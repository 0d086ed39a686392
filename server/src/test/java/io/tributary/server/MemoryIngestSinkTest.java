package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.proto.IngestedObject;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestRecord;
import io.tributary.server.spi.SinkException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The memory sink parses the records it is handed; a record that is not an encoding is refused. */
class MemoryIngestSinkTest {
  private static IngestRecord good(long id) {
    return IngestRecord.of(IngestedObject.newBuilder().setClassName("A").setPrimaryKey(Values.ofInt(id))
        .putFields("n", Values.ofInt(id)).setClientVersion(1).build());
  }

  @Test
  void aRecordThatIsNotAnEncodingFailsTheCommitAndStoresNothing() {
    try (MemoryIngestSink sink = new MemoryIngestSink()) {
      // 0xFF: a field tag with wire type 7, which no protobuf message can hold
      IngestRecord bad = new IngestRecord("A", Values.ofInt(2), new byte[] {(byte) 0xFF, 0x01});
      assertThatThrownBy(() -> sink.commit(IngestBatch.ofRecords(List.of(good(1), bad), List.of(), 0, Map.of())))
          .isInstanceOf(SinkException.class)
          .hasMessageContaining("object 1 of the batch");
      assertThat(sink.objectCount()).as("nothing of the failed batch").isZero();
      // the sink stays usable, and the good record can be committed again
      sink.commit(IngestBatch.ofRecords(List.of(good(1)), List.of(), 0, Map.of()));
      assertThat(sink.objectCount()).isEqualTo(1);
    }
  }
}
