package io.tributary.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.spi.UploadLogException.LogCorruptException;
import io.tributary.core.testing.RealmCoreVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The stored-schema format: exact bytes, round trips, and refusal of damaged input. */
class SchemaCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  static final Schema EVERY_KIND =
      Schema.of(
          ObjectSchema.asymmetric("Event")
              .primaryKey("_id", PropertyType.UUID, true)
              .optional("n", PropertyType.INT)
              .property("any", PropertyType.MIXED)
              .list("codes", PropertyType.INT)
              .set("tags", PropertyType.STRING, true)
              .dictionary("attrs", PropertyType.DECIMAL128)
              .embeddedList("parts", "Part")
              .embeddedDictionary("partmap", "Part")
              .embedded("main", "Part"),
          ObjectSchema.embedded("Part").property("name", PropertyType.STRING));

  @Test
  void theFormatIsStable() {
    Schema ping =
        Schema.of(
            ObjectSchema.asymmetric("Ping")
                .primaryKey("_id", PropertyType.INT)
                .optional("note", PropertyType.STRING)
                .embedded("at", "Où"),
            ObjectSchema.embedded("Où").property("x", PropertyType.DOUBLE));
    assertThat(HEX.formatHex(SchemaCodec.encode(ping)))
        .isEqualTo(
            "54534348" + "01" + "0002" // magic, version, 2 classes
                + "0450696e67" + "00" + "0003" // "Ping", asymmetric, 3 properties
                + "035f6964" + "01" + "00" + "02" + "00" // _id int single pk
                + "046e6f7465" + "03" + "00" + "01" + "00" // note string single nullable
                + "026174" + "0c" + "00" + "01" + "034fc3b9" // at object single nullable "Où"
                + "034fc3b9" + "01" + "0001" // "Où", embedded, 1 property
                + "0178" + "06" + "00" + "00" + "00"); // x double
  }

  @Test
  void everyVectorSchemaAndEveryKindOfPropertyRoundTrips() {
    List<Schema> schemas = new ArrayList<>();
    schemas.add(EVERY_KIND);
    for (Map<String, Object> v : RealmCoreVectors.withSchema()) {
      schemas.add(RealmCoreVectors.schema(v));
    }
    for (Schema s : schemas) {
      Schema back = SchemaCodec.decode(SchemaCodec.encode(s));
      assertThat(back).isEqualTo(s);
      assertThat(back.classes()).isEqualTo(s.classes()); // same class order too
    }
  }

  @Property(tries = 200)
  void randomSchemasRoundTrip(@ForAll("schemas") Schema s) {
    assertThat(SchemaCodec.decode(SchemaCodec.encode(s))).isEqualTo(s);
  }

  @Test
  void everyTruncationIsRefusedWithTheOffset() {
    byte[] full = SchemaCodec.encode(EVERY_KIND);
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> SchemaCodec.decode(cut))
          .as("cut at %d", n)
          .isInstanceOf(LogCorruptException.class)
          .hasMessageStartingWith("stored schema");
    }
  }

  @Test
  void everySingleByteChangeIsRefusedOrGivesAValidSchema() {
    byte[] full = SchemaCodec.encode(EVERY_KIND);
    for (int i = 0; i < full.length; i++) {
      for (int delta : new int[] {1, 0x40, 0x80, 0xFF}) {
        byte[] bad = full.clone();
        bad[i] = (byte) (bad[i] + delta);
        Throwable t = catchThrowable(() -> SchemaCodec.decode(bad));
        if (t != null) {
          assertThat(t).as("byte %d + %d", i, delta).isInstanceOf(LogCorruptException.class);
        }
      }
    }
  }

  @Test
  void foreignBytesVersionsAndTrailingBytesAreRefused() {
    byte[] good = SchemaCodec.encode(EVERY_KIND);
    assertThatThrownBy(() -> SchemaCodec.decode("{\"not\":1}".getBytes()))
        .isInstanceOf(LogCorruptException.class)
        .hasMessage(
            "stored schema at offset 0: magic: not \"TSCH\" (expected: a schema stored by"
                + " Tributary)");
    byte[] v2 = good.clone();
    v2[4] = 2;
    assertThatThrownBy(() -> SchemaCodec.decode(v2))
        .hasMessage("stored schema at offset 4: version: 2 (expected: 1)");
    byte[] longer = Arrays.copyOf(good, good.length + 3);
    assertThatThrownBy(() -> SchemaCodec.decode(longer))
        .hasMessage(
            "stored schema at offset " + good.length + ": 3 trailing bytes (expected: none)");
    assertThatThrownBy(() -> SchemaCodec.decode(Arrays.copyOf(good, 9)))
        .hasMessage(
            "stored schema at offset 8: truncated: class name needs 5 bytes, 1 left");
  }

  @Test
  void aStoredSchemaThatBreaksARuleIsCorrupt() {
    // Ping with an unknown link target: each class decodes, the schema does not validate
    byte[] bytes =
        HEX.parseHex(
            "54534348" + "01" + "0001" + "0450696e67" + "00" + "0002" + "035f6964" + "01" + "00"
                + "02" + "00" + "026174" + "0c" + "00" + "01" + "034e6f70");
    assertThatThrownBy(() -> SchemaCodec.decode(bytes))
        .isInstanceOf(LogCorruptException.class)
        .hasMessage(
            "stored schema: invalid: Ping.at: link target class 'Nop' is not in the schema");
  }

  // ---------------------------------------------------------------------------------------------

  private static final PropertyType[] SCALARS = {
    PropertyType.INT, PropertyType.BOOL, PropertyType.STRING, PropertyType.BINARY,
    PropertyType.FLOAT, PropertyType.DOUBLE, PropertyType.TIMESTAMP, PropertyType.DECIMAL128,
    PropertyType.OBJECT_ID, PropertyType.UUID, PropertyType.MIXED
  };

  @Provide
  Arbitrary<Schema> schemas() {
    Arbitrary<String> names = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
    Arbitrary<List<int[]>> props =
        Combinators.combine(
                Arbitraries.integers().between(0, SCALARS.length - 1),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 1))
            .as((t, c, n) -> new int[] {t, c, n})
            .list()
            .ofMaxSize(12);
    return Combinators.combine(
            names.list().uniqueElements().ofMinSize(1).ofMaxSize(4),
            props.list().ofSize(4),
            Arbitraries.integers().between(0, 3),
            Arbitraries.of(PropertyType.INT, PropertyType.STRING, PropertyType.OBJECT_ID,
                PropertyType.UUID))
        .as(
            (classNames, propertySpecs, embeddedCount, pkType) -> {
              List<ObjectSchema> classes = new ArrayList<>();
              ObjectSchema root = ObjectSchema.asymmetric("Root").primaryKey("_id", pkType);
              for (int e = 0; e < embeddedCount; e++) {
                root = root.embeddedList("e" + e, "E" + e);
                classes.add(ObjectSchema.embedded("E" + e).property("v", SCALARS[e]));
              }
              classes.add(root);
              for (int i = 0; i < classNames.size(); i++) {
                ObjectSchema c = ObjectSchema.asymmetric("A" + classNames.get(i))
                    .primaryKey("_id", pkType, i % 2 == 0);
                int j = 0;
                for (int[] p : propertySpecs.get(i)) {
                  String n = "p" + j++;
                  PropertyType t = SCALARS[p[0]];
                  boolean nullable = p[2] == 1;
                  switch (p[1]) {
                    case 0:
                      c = nullable ? c.optional(n, t) : c.property(n, t);
                      break;
                    case 1:
                      c = c.list(n, t, nullable);
                      break;
                    case 2:
                      c = c.set(n, t, nullable);
                      break;
                    default:
                      c = c.dictionary(n, t, nullable);
                  }
                }
                classes.add(c);
              }
              return Schema.of(classes);
            });
  }
}
