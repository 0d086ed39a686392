package io.tributary.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.AsymmetricObjectException;
import io.tributary.core.ChangesetTooLargeException;
import io.tributary.core.DictionaryWriter;
import io.tributary.core.DuplicatePrimaryKeyException;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ListWriter;
import io.tributary.core.ObjectSchema;
import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.Transaction;
import io.tributary.core.spi.LogStats;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.Changeset;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every mistake of the write API throws at the call that made it, with a message naming class,
 * property, expected and actual type; a transaction that throws leaves the log untouched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngestRealmErrorsTest {
  private static final ObjectId ID = ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b");

  static final Schema SCHEMA =
      Schema.of(
          ObjectSchema.asymmetric("Reading")
              .primaryKey("_id", PropertyType.OBJECT_ID)
              .property("sensor", PropertyType.STRING)
              .property("value", PropertyType.DOUBLE)
              .property("ts", PropertyType.TIMESTAMP)
              .optional("note", PropertyType.STRING)
              .property("amount", PropertyType.DECIMAL128)
              .list("codes", PropertyType.INT)
              .set("tags", PropertyType.STRING)
              .dictionary("attrs", PropertyType.DOUBLE)
              .embedded("location", "Location")
              .embeddedList("samples", "Location"),
          ObjectSchema.embedded("Location")
              .property("lat", PropertyType.DOUBLE)
              .property("lon", PropertyType.DOUBLE),
          ObjectSchema.asymmetric("Keyed")
              .primaryKey("_id", PropertyType.STRING, true)
              .property("n", PropertyType.INT),
          ObjectSchema.asymmetric("Counted").primaryKey("_id", PropertyType.INT),
          ObjectSchema.asymmetric("Tagged").primaryKey("_id", PropertyType.UUID));

  private final RealmLogs logs = new RealmLogs();
  private IngestRealm realm;
  private LogStats before;
  private List<RealmLogs.Entry> entriesBefore;

  @BeforeEach
  void open() {
    realm = IngestRealm.open(IngestConfig.builder(SCHEMA).storage(logs.storage()).build());
    realm.write(tx -> tx.create("Counted", 1)); // one committed transaction before each test
    before = logs.stats();
    entriesBefore = logs.entries();
  }

  @AfterEach
  void close() {
    realm.close();
  }

  /** Runs {@code body} in a transaction, expecting the call inside to throw; the log is unchanged. */
  private Throwable failing(Consumer<Transaction> body) {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Throwable escaped = null;
    try {
      realm.write(
          tx -> {
            try {
              body.accept(tx);
            } catch (RuntimeException e) {
              thrown.set(e);
              throw e;
            }
          });
    } catch (RuntimeException e) {
      escaped = e;
    }
    assertThat(thrown.get()).as("thrown inside the body").isNotNull();
    assertThat(escaped).as("propagated unchanged").isSameAs(thrown.get());
    assertLogUntouched();
    return thrown.get();
  }

  private void assertLogUntouched() {
    LogStats now = logs.stats();
    assertThat(now.entryCount()).isEqualTo(before.entryCount());
    assertThat(now.lastAssignedVersion()).isEqualTo(before.lastAssignedVersion());
    assertThat(now.sizeBytes()).isEqualTo(before.sizeBytes());
    assertThat(logs.entries()).usingRecursiveComparison().isEqualTo(entriesBefore);
  }

  // ---------------------------------------------------------------------------------------------
  // classes and primary keys

  @Test
  void unknownClass() {
    assertThat(failing(tx -> tx.create("Readng", ID)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown class 'Readng' (expected one of: Reading, Keyed, Counted, Tagged)");
  }

  @Test
  void creatingAnEmbeddedClassDirectly() {
    assertThat(failing(tx -> tx.createWithNullKey("Location")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Location is an embedded class: its objects cannot be created on their own (expected:"
                + " an asymmetric class; create embedded objects through a property of their"
                + " parent, e.g. embedded(..))");
  }

  @Test
  void missingPrimaryKey() {
    assertThat(failing(tx -> tx.create("Reading", (ObjectId) null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Reading._id: missing primary key: null (expected: objectId, not nullable)");
    assertThat(failing(tx -> tx.createWithNullKey("Counted")))
        .hasMessage("Counted._id: missing primary key: null (expected: int, not nullable)");
  }

  @Test
  void primaryKeyOfTheWrongType() {
    assertThat(failing(tx -> tx.create("Reading", 42)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Reading._id: cannot use an int as primary key (expected: objectId)");
    assertThat(failing(tx -> tx.create("Counted", "x")))
        .hasMessage("Counted._id: cannot use a string as primary key (expected: int)");
    assertThat(failing(tx -> tx.create("Counted", UUID.randomUUID())))
        .hasMessage("Counted._id: cannot use a uuid as primary key (expected: int)");
  }

  @Test
  void duplicatePrimaryKeysWithinOneTransaction() {
    assertThat(
            failing(
                tx -> {
                  tx.create("Reading", ID);
                  tx.create("Reading", ObjectId.fromHex("65f1a2b3c4d5e6f708192a3c"));
                  tx.create("Reading", ID);
                }))
        .isInstanceOf(DuplicatePrimaryKeyException.class)
        .hasMessage(
            "Reading._id: existing primary key 65f1a2b3c4d5e6f708192a3b (this transaction already"
                + " created a Reading with that key)");
    assertThat(failing(tx -> tx.create("Counted", 7).parent()))
        .isInstanceOf(IllegalStateException.class);
    assertThat(failing(tx -> {
          tx.create("Counted", 7);
          tx.create("Counted", 7);
        }))
        .hasMessageContaining("Counted._id: existing primary key 7 ");
    assertThat(failing(tx -> {
          tx.create("Keyed", "k");
          tx.create("Keyed", new String("k".toCharArray()));
        }))
        .hasMessageContaining("Keyed._id: existing primary key \"k\" ");
    assertThat(failing(tx -> {
          tx.createWithNullKey("Keyed");
          tx.create("Keyed", (String) null);
        }))
        .hasMessageContaining("Keyed._id: existing primary key null ");
    UUID u = UUID.randomUUID();
    assertThat(failing(tx -> {
          tx.create("Tagged", u);
          tx.create("Tagged", new UUID(u.getMostSignificantBits(), u.getLeastSignificantBits()));
        }))
        .hasMessageContaining("Tagged._id: existing primary key " + u + " ");
  }

  @Test
  void theSameKeyInAnotherClassOrAnotherTransactionIsFine() {
    long v1 = realm.write(tx -> {
      tx.create("Counted", 7);
      tx.create("Keyed", "7");
    });
    long v2 = realm.write(tx -> tx.create("Counted", 7)); // realm-core sends it again (§9.3)
    assertThat(v2).isEqualTo(v1 + 1);
  }

  @Test
  void settingThePrimaryKeyWithSet() {
    assertThat(failing(tx -> tx.create("Reading", ID).set("_id", ObjectId.get())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Reading._id: is the primary key (expected: give it to create(\"Reading\", key); it"
                + " cannot be set)");
    assertThat(failing(tx -> tx.create("Counted", 1).setNull("_id")))
        .hasMessage(
            "Counted._id: cannot set null on the primary key (expected: give it to create(..))");
  }

  @Test
  void aStringKeyThatIsNotValidUtf16() {
    assertThat(failing(tx -> tx.create("Keyed", "a\uDC00")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Keyed._id: primary key: unpaired surrogate U+DC00 at char index 1");
    // the refused key was not remembered: the same key is refused for the same reason again
    assertThat(failing(tx -> {
          try {
            tx.create("Keyed", "a\uDC00");
          } catch (IllegalArgumentException e) {
            // ignore the first refusal
          }
          tx.create("Keyed", "a\uDC00");
        }))
        .isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(DuplicatePrimaryKeyException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // properties and values

  @Test
  void unknownProperty() {
    assertThat(failing(tx -> tx.create("Reading", ID).set("valu", 1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Reading.valu: no such property (expected one of: _id, sensor, value, ts, note,"
                + " amount, codes, tags, attrs, location, samples)");
    assertThat(failing(tx -> tx.create("Reading", ID).embedded("location").set("alt", 1.0)))
        .hasMessage("Location.alt: no such property (expected one of: lat, lon)");
  }

  @Test
  void wrongValueType() {
    assertThat(failing(tx -> tx.create("Reading", ID).set("value", "21.5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Reading.value: cannot set a string (expected: double)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("value", 21)))
        .hasMessage("Reading.value: cannot set an int (expected: double)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("value", 1.5f)))
        .hasMessage("Reading.value: cannot set a float (expected: double)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("sensor", 1.5)))
        .hasMessage("Reading.sensor: cannot set a double (expected: string)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("ts", new byte[0])))
        .hasMessage("Reading.ts: cannot set data (expected: date)");
    assertThat(failing(tx -> tx.create("Reading", ID).setMixed("ts", new java.util.Date())))
        .hasMessage(
            "Reading.ts: cannot store a java.util.Date (expected: Long, Integer, Short, Byte,"
                + " Double, Float, Boolean, String, byte[], Instant, BigDecimal, ObjectId, UUID or"
                + " null)");
  }

  @Test
  void collectionsAndEmbeddedObjectsAreNotSingleValues() {
    assertThat(failing(tx -> tx.create("Reading", ID).set("codes", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Reading.codes: cannot set an int on a list<int> (expected: list(\"codes\") to add"
                + " elements)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("location", "x")))
        .hasMessage(
            "Reading.location: cannot set a string on an embedded object Location? (expected:"
                + " embedded(\"location\"))");
    assertThat(failing(tx -> tx.create("Reading", ID).list("value")))
        .hasMessage("Reading.value: is a double (expected: a list property)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("codes").add(1)))
        .hasMessage("Reading.codes: is a list<int> (expected: a set property)");
    assertThat(failing(tx -> tx.create("Reading", ID).embedded("samples")))
        .hasMessage(
            "Reading.samples: is a list<Location> (expected: an embedded-object property; add"
                + " elements with list(\"samples\").addEmbedded())");
    assertThat(failing(tx -> tx.create("Reading", ID).mixedList("codes")))
        .hasMessage(
            "Reading.codes: mixedList needs a single mixed property (expected: mixed, given:"
                + " list<int>)");
  }

  @Test
  void nullForARequiredProperty() {
    assertThat(failing(tx -> tx.create("Reading", ID).set("sensor", (String) null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Reading.sensor: null for a required property (expected: string, not"
            + " nullable)");
    assertThat(failing(tx -> tx.create("Reading", ID).setNull("value")))
        .hasMessage("Reading.value: null for a required property (expected: double, not"
            + " nullable)");
    assertThat(failing(tx -> tx.create("Reading", ID).setMixed("ts", null)))
        .hasMessage("Reading.ts: null for a required property (expected: date, not nullable)");
    assertThat(failing(tx -> tx.create("Reading", ID).list("codes").addNull()))
        .hasMessage("Reading.codes: null element in list<int> (expected: non-null elements)");
    assertThat(failing(tx -> tx.create("Reading", ID).dictionary("attrs").putNull("k")))
        .hasMessage(
            "Reading.attrs: null element in dictionary<string, double> (expected: non-null"
                + " elements)");
    assertThat(failing(tx -> tx.create("Reading", ID).list("samples").addNull()))
        .hasMessage(
            "Reading.samples: null element in list<Location> (expected: embedded objects, never"
                + " null)");
  }

  @Test
  void wrongElementTypes() {
    assertThat(failing(tx -> tx.create("Reading", ID).list("codes").add("1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Reading.codes: cannot add a string to list<int> (expected: int)");
    assertThat(failing(tx -> tx.create("Reading", ID).set("tags").add(Instant.EPOCH)))
        .hasMessage("Reading.tags: cannot add a date to set<string> (expected: string)");
    assertThat(failing(tx -> tx.create("Reading", ID).dictionary("attrs").put("k", true)))
        .hasMessage("Reading.attrs: cannot add a bool to dictionary<string, double> (expected:"
            + " double)");
    assertThat(failing(tx -> tx.create("Reading", ID).list("codes").addEmbedded()))
        .hasMessage(
            "Reading.codes: cannot add an embedded object to list<int> (expected: a collection"
                + " of embedded objects)");
    assertThat(failing(tx -> tx.create("Reading", ID).list("samples").add(1.0)))
        .hasMessage("Reading.samples: cannot add a double to list<Location> (expected: Location)");
  }

  @Test
  void valuesTheFormatCannotHold() {
    assertThat(failing(tx -> tx.create("Reading", ID).set("sensor", "bad \uD800 surrogate")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Reading.sensor: ")
        .hasMessageContaining("surrogate");
    assertThat(failing(tx -> tx.create("Reading", ID).set("amount",
            new BigDecimal("1234567890123456789012345678901234567"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Reading.amount: ");
    assertThat(failing(tx -> tx.create("Reading", ID).dictionary("attrs").put("a.b", 1.0)))
        .hasMessage(
            "Reading.attrs: dictionary key 'a.b' contains '.' at index 1 (expected: no '.' and no"
                + " leading '$')");
    assertThat(failing(tx -> tx.create("Reading", ID).dictionary("attrs").put("$x", 1.0)))
        .hasMessage(
            "Reading.attrs: dictionary key '$x' starts with '$' (expected: no '.' and no leading"
                + " '$')");
  }

  // ---------------------------------------------------------------------------------------------
  // moments

  @Test
  void aWriterUsedAfterItsTransactionEnded() {
    AtomicReference<ObjectWriter> object = new AtomicReference<>();
    AtomicReference<ObjectWriter> embedded = new AtomicReference<>();
    AtomicReference<ListWriter> list = new AtomicReference<>();
    AtomicReference<Transaction> transaction = new AtomicReference<>();
    realm.write(
        tx -> {
          transaction.set(tx);
          object.set(tx.create("Reading", ID));
          embedded.set(object.get().embedded("location"));
          list.set(object.get().list("codes"));
        });
    before = logs.stats();
    entriesBefore = logs.entries();

    assertThatThrownBy(() -> object.get().set("value", 1.0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "writer of Reading[65f1a2b3c4d5e6f708192a3b] used after its transaction ended"
                + " (expected: use transactions and writers only inside the body of write)");
    assertThatThrownBy(() -> embedded.get().set("lat", 1.0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "writer of embedded Location of Reading[65f1a2b3c4d5e6f708192a3b] used after its"
                + " transaction ended");
    assertThatThrownBy(() -> list.get().add(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("writer of Reading.codes of Reading[");
    assertThatThrownBy(() -> transaction.get().create("Reading", ObjectId.get()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("transaction (create) used after its transaction ended");
    // ... also inside a later transaction on the same thread
    assertThat(failing(tx -> list.get().add(2))).isInstanceOf(IllegalStateException.class);
    assertLogUntouched();
  }

  @Test
  void aWriterUsedFromAnotherThread() throws Exception {
    Thread.currentThread().setName("writer-main");
    assertThat(
            failing(
                tx -> {
                  ObjectWriter w = tx.create("Reading", ID);
                  CompletableFuture<Void> other =
                      CompletableFuture.runAsync(() -> w.set("value", 1.0));
                  try {
                    other.get(30, TimeUnit.SECONDS);
                  } catch (ExecutionException e) {
                    throw (RuntimeException) e.getCause();
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("writer of Reading[65f1a2b3c4d5e6f708192a3b] used from thread '")
        .hasMessageEndingWith(
            "', but its transaction runs on thread 'writer-main' (expected: the transaction's"
                + " thread)");
  }

  @Test
  void nestedWrite() {
    assertThat(failing(tx -> realm.write(inner -> inner.create("Counted", 9))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "write: a transaction is already running on this thread (expected: no write call"
                + " inside a write body)");
  }

  @Test
  void useAfterClose() {
    realm.close();
    realm.close(); // idempotent
    assertThat(realm.isClosed()).isTrue();
    assertThatThrownBy(() -> realm.write(tx -> tx.create("Counted", 2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("write: the IngestRealm is closed (expected: an open realm)");
    assertThatThrownBy(() -> realm.objects("Reading"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("query: the IngestRealm is closed (expected: an open realm)");
  }

  @Test
  void closingTheRealmDuringATransactionWritesNothing() {
    assertThatThrownBy(
            () ->
                realm.write(
                    tx -> {
                      tx.create("Counted", 3);
                      realm.close();
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "write: the IngestRealm is closed (expected: an open realm); nothing was written");
    try (var log = logs.memory.open(io.tributary.core.spi.UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().lastAssignedVersion()).isEqualTo(before.lastAssignedVersion());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // reading, querying, deleting

  @Test
  void readingQueryingAndDeletingAsymmetricObjectsFailWithTheSdkMessages() {
    assertThatThrownBy(() -> realm.objects("Reading"))
        .isInstanceOf(AsymmetricObjectException.class)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("Queries on asymmetric objects are not allowed: Reading");
    assertThatThrownBy(() -> realm.find("Reading", ID))
        .isInstanceOf(AsymmetricObjectException.class)
        .hasMessage("Queries on asymmetric objects are not allowed: Reading");
    assertThatThrownBy(() -> realm.objects("Location"))
        .hasMessage("Embedded objects cannot be queried directly: Location");
    assertThatThrownBy(() -> realm.objects("Nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown class 'Nope' (expected a class of the schema)");
    assertThat(failing(tx -> tx.delete("Reading", ID)))
        .isInstanceOf(AsymmetricObjectException.class)
        .hasMessage("Asymmetric Realm objects cannot be deleted manually: Reading");
    assertThat(failing(tx -> tx.delete("Location", null)))
        .hasMessage("Embedded objects of asymmetric objects cannot be deleted: Location");
  }

  // ---------------------------------------------------------------------------------------------
  // failed transactions

  @Test
  void aBodyThatThrowsWritesNothingAndTheNextTransactionIsClean() {
    assertThat(
            failing(
                tx -> {
                  tx.create("Reading", ID).set("value", 1.0).list("codes").add(1);
                  throw new IllegalStateException("app failure");
                }))
        .hasMessage("app failure");

    realm.write(tx -> tx.create("Reading", ID).set("value", 2.0));
    List<RealmLogs.Entry> entries = logs.entries();
    assertThat(Changeset.parse(entries.get(entries.size() - 1).changeset()).dump())
        .containsExactly(
            "CreateObject table=\"Reading\" pk=ObjectId(65f1a2b3c4d5e6f708192a3b)",
            "Update table=\"Reading\" pk=ObjectId(65f1a2b3c4d5e6f708192a3b) field=\"value\""
                + " path=[] value=Double(2 bits=0000000000000040) is_default=false");
  }

  @Test
  void aRefusedCallThatTheAppCatchesLeavesAValidChangeset() {
    realm.write(
        tx -> {
          ObjectWriter w = tx.create("Counted", 5);
          DictionaryWriter d = tx.create("Reading", ID).dictionary("attrs");
          for (String bad : new String[] {"a.b", "x\uD800"}) {
            try {
              d.put(bad, 1.0);
            } catch (IllegalArgumentException expected) {
              // refused: nothing of it was written
            }
          }
          d.put("ok", 2.0);
          assertThat(w.className()).isEqualTo("Counted");
        });
    List<RealmLogs.Entry> entries = logs.entries();
    assertThat(Changeset.parse(entries.get(entries.size() - 1).changeset()).dump())
        .containsExactly(
            "CreateObject table=\"Counted\" pk=Int(5)",
            "CreateObject table=\"Reading\" pk=ObjectId(65f1a2b3c4d5e6f708192a3b)",
            "Update table=\"Reading\" pk=ObjectId(65f1a2b3c4d5e6f708192a3b) field=\"attrs\""
                + " path=[\"ok\"] value=Double(2 bits=0000000000000040) is_default=false");
  }

  @Test
  void aChangesetLargerThanTheLimitIsRefusedWhole() {
    realm.close();
    RealmLogs small = new RealmLogs();
    try (IngestRealm r =
        IngestRealm.open(
            IngestConfig.builder(SCHEMA).storage(small.storage()).maxChangesetBytes(1024)
                .build())) {
      LogStats start = small.stats();
      assertThatThrownBy(
              () ->
                  r.write(
                      tx -> {
                        for (int i = 0; i < 1000; i++) { // about 5 bytes each
                          tx.create("Counted", i);
                        }
                      }))
          .isInstanceOf(ChangesetTooLargeException.class)
          .hasMessageStartingWith("transaction: changeset of ")
          .hasMessageEndingWith(
              " objects exceeds maxChangesetBytes 1024 (expected: at most 1024 bytes; split the"
                  + " objects across several write calls); nothing was written");
      // even if the body swallows the overflow, the transaction cannot commit
      assertThatThrownBy(
              () ->
                  r.write(
                      tx -> {
                        try {
                          tx.create("Reading", ID).set("sensor", "x".repeat(2000));
                        } catch (RuntimeException swallowed) {
                          // ignored by a careless app
                        }
                      }))
          .isInstanceOf(ChangesetTooLargeException.class);
      assertThat(small.stats().lastAssignedVersion()).isEqualTo(start.lastAssignedVersion());
      assertThat(small.entries()).hasSize(1);
      // and the realm keeps working
      assertThat(r.write(tx -> tx.create("Counted", 1))).isEqualTo(2);
    }
  }
}
