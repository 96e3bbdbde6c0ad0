/**
 * The Avro project's own test vectors for Parsing Canonical Form and CRC-64-AVRO fingerprints
 * (apache/avro share/test/data/schema-tests.txt). Fingerprints there are Java signed longs.
 */
export interface SpecVector {
  readonly id: string;
  readonly input: string;
  readonly canonical: string;
  readonly fingerprint?: bigint;
}

export const SPEC_VECTORS: readonly SpecVector[] = [
  { id: '000', input: '"null"', canonical: '"null"', fingerprint: 7195948357588979594n },
  { id: '001', input: '{"type":"null"}', canonical: '"null"' },
  { id: '002', input: '"boolean"', canonical: '"boolean"', fingerprint: -6970731678124411036n },
  { id: '003', input: '{"type":"boolean"}', canonical: '"boolean"' },
  { id: '004', input: '"int"', canonical: '"int"', fingerprint: 8247732601305521295n },
  { id: '005', input: '{"type":"int"}', canonical: '"int"' },
  { id: '006', input: '"long"', canonical: '"long"', fingerprint: -3434872931120570953n },
  { id: '007', input: '{"type":"long"}', canonical: '"long"' },
  { id: '008', input: '"float"', canonical: '"float"', fingerprint: 5583340709985441680n },
  { id: '009', input: '{"type":"float"}', canonical: '"float"' },
  { id: '010', input: '"double"', canonical: '"double"', fingerprint: -8181574048448539266n },
  { id: '011', input: '{"type":"double"}', canonical: '"double"' },
  { id: '012', input: '"bytes"', canonical: '"bytes"', fingerprint: 5746618253357095269n },
  { id: '013', input: '{"type":"bytes"}', canonical: '"bytes"' },
  { id: '014', input: '"string"', canonical: '"string"', fingerprint: -8142146995180207161n },
  { id: '015', input: '{"type":"string"}', canonical: '"string"' },
  { id: '016', input: '[  ]', canonical: '[]', fingerprint: -1241056759729112623n },
  { id: '017', input: '[ "int"  ]', canonical: '["int"]', fingerprint: -5232228896498058493n },
  {
    id: '018',
    input: '[ "int" , {"type":"boolean"} ]',
    canonical: '["int","boolean"]',
    fingerprint: 5392556393470105090n,
  },
  {
    id: '019',
    input: '{"fields":[], "type":"record", "name":"foo"}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: -4824392279771201922n,
  },
  {
    id: '020',
    input: '{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
    canonical: '{"name":"x.y.foo","type":"record","fields":[]}',
    fingerprint: 5916914534497305771n,
  },
  {
    id: '021',
    input: '{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}',
    canonical: '{"name":"a.b.foo","type":"record","fields":[]}',
    fingerprint: -4616218487480524110n,
  },
  {
    id: '022',
    input: '{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: -4824392279771201922n,
  },
  {
    id: '023',
    input: '{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: -4824392279771201922n,
  },
  {
    id: '024',
    input: '{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}',
    canonical: '{"name":"foo","type":"record","fields":[]}',
    fingerprint: -4824392279771201922n,
  },
  {
    id: '025',
    input: '{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}',
    canonical: '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
    fingerprint: 7843277075252814651n,
  },
  {
    id: '026',
    input:
      '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"},' +
      ' {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo"}',
    canonical:
      '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    fingerprint: -4860222112080293046n,
  },
  {
    id: '027',
    input: '{"type":"enum", "name":"foo", "symbols":["A1"]}',
    canonical: '{"name":"foo","type":"enum","symbols":["A1"]}',
    fingerprint: -6342190197741309591n,
  },
  {
    id: '028',
    input: '{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}',
    canonical: '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
    fingerprint: -4448647247586288245n,
  },
  {
    id: '029',
    input: '{"name":"foo","type":"fixed","size":15}',
    canonical: '{"name":"foo","type":"fixed","size":15}',
    fingerprint: 1756455273707447556n,
  },
  {
    id: '030',
    input: '{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}',
    canonical: '{"name":"x.y.z.foo","type":"fixed","size":32}',
    fingerprint: -3064184465700546786n,
  },
  {
    id: '031',
    input: '{ "items":{"type":"null"}, "type":"array"}',
    canonical: '{"type":"array","items":"null"}',
    fingerprint: -589620603366471059n,
  },
  {
    id: '032',
    input: '{ "values":"string", "type":"map"}',
    canonical: '{"type":"map","values":"string"}',
    fingerprint: -8732877298790414990n,
  },
  {
    id: '033',
    input:
      '{"name":"PigValue","type":"record",' +
      ' "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    canonical:
      '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    fingerprint: -1759257747318642341n,
  },
];
