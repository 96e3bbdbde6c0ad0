// An independent reader for the fault tests: Kafka's own Java consumer (the kafka-clients jar that
// deploy/local/kafka.sh fetches), run as a single source file, so what the tests count as present in a
// topic does not depend on the Node client under test.
//
//   java -cp '<libs>/*' kafka-cluster-reader.java BOOTSTRAP ISOLATION TOPIC...
//
// ISOLATION is read_committed or read_uncommitted. Reads every partition of each topic from the start up
// to its end offset at the time of the call (the last stable offset under read_committed) and prints one
// line per record: topic TAB partition TAB offset TAB base64(key) TAB base64(value) ("-" for null).
// Exits 1 when the end is not reached within 60 s.
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class KafkaClusterReader {
  private static String b64(byte[] bytes) {
    return bytes == null ? "-" : Base64.getEncoder().encodeToString(bytes);
  }

  public static void main(String[] args) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("isolation.level", args[1]);
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    long deadline = System.currentTimeMillis() + 60_000;
    StringBuilder out = new StringBuilder();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        for (PartitionInfo p : consumer.partitionsFor(args[i], Duration.ofSeconds(30))) {
          partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          System.err.println("kafka-cluster-reader: end offsets not reached within 60 s");
          System.exit(1);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.append(r.topic()).append('\t').append(r.partition()).append('\t').append(r.offset())
              .append('\t').append(b64(r.key())).append('\t').append(b64(r.value())).append('\n');
        }
      }
    }
    System.out.print(out);
    System.out.flush();
  }
}
