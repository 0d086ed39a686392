package io.tributary.benchmarks.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import org.junit.jupiter.api.Test;

/** The inputs of {@link UploadCompressionBenchmark}: real UPLOAD bodies, and every setting round-trips. */
class UploadCompressionBenchmarkTest {
  @Test
  void bodyIsOneUploadEntryHoldingTheWholeChangeset() {
    for (boolean random : new boolean[] {false, true}) {
      byte[] body = UploadCompressionBenchmark.body(10, random);
      String text = new String(body, 0, 40, StandardCharsets.ISO_8859_1);
      // spec protocol.md §5.5: client_version, last_integrated_server_version, origin_timestamp,
      // origin_file_ident, changeset size, then the changeset
      assertThat(text).startsWith("2 0 375353770272 0 ");
      String[] fields = text.split(" ", 6);
      int size = Integer.parseInt(fields[4]);
      int header = fields[0].length() + fields[1].length() + fields[2].length()
          + fields[3].length() + fields[4].length() + 5;
      assertThat(body.length).isEqualTo(header + size);
      assertThat(size).as("about 175 bytes per reading").isBetween(10 * 150, 10 * 200);
    }
  }

  @Test
  void everySettingRoundTripsAndLevel1IsSmallerThanHuffmanOnly() throws DataFormatException {
    int level1 = 0;
    int huffman = 0;
    for (String setting : new String[] {"LEVEL1", "HUFFMAN", "FILTERED1", "LEVEL6"}) {
      UploadCompressionBenchmark b = new UploadCompressionBenchmark();
      b.objects = 100;
      b.data = "device";
      b.setting = setting;
      b.setUp(); // throws if the inflated body differs
      try {
        int n = b.deflate();
        assertThat(b.inflate()).isEqualTo(UploadCompressionBenchmark.body(100, false).length);
        if (setting.equals("LEVEL1")) {
          level1 = n;
        } else if (setting.equals("HUFFMAN")) {
          huffman = n;
        }
      } finally {
        b.tearDown();
      }
    }
    assertThat(level1).isPositive().isLessThan(huffman);
  }
}
