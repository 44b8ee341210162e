// SPDX-License-Identifier: Apache-2.0
// @kafkajs/confluent-schema-registry (pinned in ../package.json) against a fresh schemaregd:
// register (GET /config/S needs 40408 when unset, then the client PUTs the config), encode and
// decode round trips in the Confluent wire format, getLatestSchemaId, getRegistryId,
// getRegistryIdBySchema, reader-schema resolution, and errors surfacing as the client's own
// classes (ConfluentSchemaRegistry*Error, and mappersmith's ResponseError for HTTP errors).
// Usage: node kafkajs-schema-registry.js BASE_URL   (the registry must be empty)
'use strict';

const {
    SchemaRegistry,
    SchemaType,
    COMPATIBILITY,
} = require('@kafkajs/confluent-schema-registry');
const errors = require('@kafkajs/confluent-schema-registry/dist/errors');
const { Checks } = require('./check');

const base = process.argv[2];
if (!base) {
    console.error('usage: node kafkajs-schema-registry.js BASE_URL');
    process.exit(2);
}

/* No retries: kafkajs retries every 5xx, which would only hide a server error for a while. */
const fresh = () => new SchemaRegistry({ host: base, clientId: 'schemaregd-tests', retry: { retries: 0 } });

const ORDER_V1 = {
    type: 'record', name: 'Order', namespace: 'com.example',
    fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }],
};
const ORDER_V2 = { ...ORDER_V1, fields: [...ORDER_V1.fields, { name: 'qty', type: 'int', default: 1 }] };
const ORDER_BAD = { ...ORDER_V1, fields: [{ name: 'id', type: 'string' }, ORDER_V1.fields[1]] };
const CANON_V1 = '{"type":"record","name":"Order","namespace":"com.example","fields":' +
    '[{"name":"id","type":"long"},{"name":"item","type":"string"}]}';

function wire(id, ...avroParts) {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, ...avroParts.map((p) => Buffer.from(p))]);
}
const avroString = (s) => [Buffer.from([s.length * 2]), Buffer.from(s, 'utf8')];
const fields = (rec) => ({ ...rec });
/* HTTP errors reach the caller as mappersmith's ResponseError carrying the status. */
const httpErr = (status) => (e) => [{ name: e.name, status: e.status }, { name: 'ResponseError', status }];
const ownErr = (cls, re) => (e) => [
    { instance: e instanceof cls, name: e.name, message: re.test(e.message) },
    { instance: true, name: cls.name, message: true },
];

(async () => {
    const t = new Checks('@kafkajs/confluent-schema-registry');
    const S = 'orders-value';
    const configOf = async (subject) => (await fresh().api.Subject.config({ subject })).data().compatibilityLevel;

    await t.rejects('no subject config before the first register (40408 as 404)',
        () => fresh().api.Subject.config({ subject: S }), httpErr(404));
    await t.step('register', async () => {
        t.eq('register v1 (raw Avro schema) -> {id: 1}', await fresh().register(ORDER_V1, { subject: S }), { id: 1 });
        t.eq('first register PUT the subject config (BACKWARD)', await configOf(S), 'BACKWARD');
        t.eq('register v1 again (config now matches) -> {id: 1}', await fresh().register(ORDER_V1, { subject: S }), { id: 1 });
        const v2 = { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V2) };
        t.eq('register v2 (ConfluentSchema form) -> {id: 2}', await fresh().register(v2, { subject: S }), { id: 2 });
        t.eq('register without subject uses namespace.name', await fresh().register(ORDER_V1), { id: 1 });
        t.eq('... and that subject exists', await fresh().getLatestSchemaId('com.example.Order'), 1);
        t.eq('register with compatibility NONE on a new subject', await fresh().register(ORDER_V1,
            { subject: 'loose-value', compatibility: COMPATIBILITY.NONE }), { id: 1 });
        t.eq('... PUT its config as NONE', await configOf('loose-value'), 'NONE');
    });

    await t.rejects('register an incompatible schema (409)',
        () => fresh().register(ORDER_BAD, { subject: S }), (e) => [
            { name: e.name, status: e.status, mentionsIncompatible: /incompatible/i.test(e.message) },
            { name: 'ResponseError', status: 409, mentionsIncompatible: true },
        ]);
    await t.rejects('register with a compatibility option that differs from the subject config',
        () => fresh().register(ORDER_V2, { subject: S, compatibility: COMPATIBILITY.FULL }),
        ownErr(errors.ConfluentSchemaRegistryCompatibilityError, /\(FULL != BACKWARD\)/));
    await t.rejects('register an invalid schema through the raw API (422)',
        () => fresh().api.Subject.register({ subject: S, body: { schema: '{"type":"record","name":"X"}' } }), httpErr(422));

    await t.step('ids', async () => {
        t.eq('getLatestSchemaId', await fresh().getLatestSchemaId(S), 2);
        t.eq('getRegistryId(S, 1)', await fresh().getRegistryId(S, 1), 1);
        t.eq('getRegistryId(S, "latest")', await fresh().getRegistryId(S, 'latest'), 2);
        t.eq('getRegistryIdBySchema(raw v1)', await fresh().getRegistryIdBySchema(S, ORDER_V1), 1);
        t.eq('getRegistryIdBySchema(ConfluentSchema v2)', await fresh().getRegistryIdBySchema(S,
            { type: SchemaType.AVRO, schema: JSON.stringify(ORDER_V2, null, 4) }), 2);
    });
    await t.rejects('getRegistryIdBySchema of an unregistered schema',
        () => fresh().getRegistryIdBySchema(S, ORDER_BAD),
        ownErr(errors.ConfluentSchemaRegistryError, /Schema not found/i));
    await t.rejects('getRegistryIdBySchema under an unknown subject',
        () => fresh().getRegistryIdBySchema('nope-value', ORDER_V1),
        ownErr(errors.ConfluentSchemaRegistryError, /Subject 'nope-value' not found/));
    await t.rejects('getRegistryId of a missing version', () => fresh().getRegistryId(S, 9), httpErr(404));
    await t.rejects('getLatestSchemaId of an unknown subject', () => fresh().getLatestSchemaId('nope-value'), httpErr(404));

    let b1;
    let b2;
    await t.step('encode / decode', async () => {
        const reg = fresh();
        b1 = await reg.encode(1, { id: 42, item: 'widget' });
        t.eq('encode(1) wire bytes', b1.toString('hex'), wire(1, [0x54], ...avroString('widget')).toString('hex'));
        b2 = await reg.encode(2, { id: 7, item: 'bolt', qty: 3 });
        t.eq('encode(2) wire bytes', b2.toString('hex'), wire(2, [0x0e], ...avroString('bolt'), [0x06]).toString('hex'));
        const other = fresh();
        t.eq('decode v1 bytes (writer schema fetched by id)', fields(await other.decode(b1)), { id: 42, item: 'widget' });
        t.eq('decode v2 bytes', fields(await other.decode(b2)), { id: 7, item: 'bolt', qty: 3 });
        const type = await fresh().getSchema(1);
        t.eq('getSchema(1) is v1', [type.name, type.fields.map((f) => [f.name, f.type.typeName])],
            ['com.example.Order', [['id', 'long'], ['item', 'string']]]);
    });
    await t.step('decode old data with a newer reader schema', async () => {
        const got = await fresh().decode(b1, { [SchemaType.AVRO]: { readerSchema: ORDER_V2 } });
        t.eq('v1 bytes read as v2 (qty defaulted)', fields(got), { id: 42, item: 'widget', qty: 1 });
    });
    await t.rejects('encode a payload that does not match the schema',
        () => fresh().encode(1, { id: 'x', item: 3 }), (e) => [
            { instance: e instanceof errors.ConfluentSchemaRegistryValidationError, paths: e.paths },
            { instance: true, paths: [['id'], ['item']] },
        ]);
    await t.rejects('decode a buffer with a wrong magic byte',
        () => fresh().decode(Buffer.from('0100000001540c', 'hex')),
        ownErr(errors.ConfluentSchemaRegistryArgumentError, /magic byte/));
    await t.rejects('encode with an unknown schema id', () => fresh().encode(999, { id: 1 }), httpErr(404));

    await t.step('raw API resources', async () => {
        const api = fresh().api;
        t.eq('Subject.all', (await api.Subject.all()).data(), ['com.example.Order', 'loose-value', 'orders-value']);
        const ok = await api.Subject.compatible({ subject: S, body: { schema: JSON.stringify(ORDER_V2) } });
        t.eq('Subject.compatible(v2) against latest', ok.data(), { is_compatible: true });
        const bad = await api.Subject.compatible({ subject: S, version: 1, body: { schema: JSON.stringify(ORDER_BAD) } });
        t.eq('Subject.compatible(bad) against version 1', bad.data().is_compatible, false);
        const v = (await api.Subject.version({ subject: S, version: 2 })).data();
        t.eq('Subject.version fields', [v.subject, v.version, v.id], [S, 2, 2]);
        const found = (await api.Subject.registered({ subject: S, body: { schema: JSON.stringify(ORDER_V1) } })).data();
        t.eq('Subject.registered fields', [found.subject, found.version, found.id, found.schema], [S, 1, 1, CANON_V1]);
    });

    t.finish();
})().catch((e) => {
    console.log(`FAIL - harness: ${e && e.stack}`);
    console.log('@kafkajs/confluent-schema-registry: 0 passed, 1 failed');
    process.exitCode = 1;
});
