// SPDX-License-Identifier: Apache-2.0
// @confluentinc/schemaregistry (pinned in ../package.json) against a fresh schemaregd: every
// REST method of SchemaRegistryClient that the registry serves, then the Avro serializer and
// deserializer (Confluent wire format) with an explicit schema id, useLatestVersion, reading
// old data with a newer reader schema, and the default flow (schema inferred from the value,
// ASSOCIATED subject strategy that probes /associations and falls back on our 404).
// Usage: node confluent-schemaregistry.js BASE_URL   (the registry must be empty)
'use strict';

const {
    SchemaRegistryClient,
    AvroSerializer,
    AvroDeserializer,
    SerdeType,
    SubjectNameStrategyType,
    RestError,
} = require('@confluentinc/schemaregistry');
const { Checks } = require('./check');

const base = process.argv[2];
if (!base) {
    console.error('usage: node confluent-schemaregistry.js BASE_URL');
    process.exit(2);
}

const conf = { baseURLs: [base], maxRetries: 1, retriesWaitMs: 50, retriesMaxWaitMs: 100 };
/* A new client per call that must reach the server: SchemaRegistryClient caches by subject,
 * schema and id, so reusing one instance would let later checks pass without a request. */
const fresh = () => new SchemaRegistryClient(conf);

const ORDER_V1 = {
    type: 'record', name: 'Order', namespace: 'com.example',
    fields: [{ name: 'id', type: 'long' }, { name: 'item', type: 'string' }],
};
const ORDER_V2 = { ...ORDER_V1, fields: [...ORDER_V1.fields, { name: 'qty', type: 'int', default: 1 }] };
/* Changing id from long to string cannot read old data: incompatible under BACKWARD. */
const ORDER_BAD = { ...ORDER_V1, fields: [{ name: 'id', type: 'string' }, ORDER_V1.fields[1]] };
/* Confluent returns Avro's canonical text (Schema.toString()), never the submitted spelling. */
const CANON_V1 = '{"type":"record","name":"Order","namespace":"com.example","fields":' +
    '[{"name":"id","type":"long"},{"name":"item","type":"string"}]}';
const CANON_V2 = CANON_V1.slice(0, -2) + ',{"name":"qty","type":"int","default":1}]}';

/* Submitted with odd spacing and key order so that canonicalisation is exercised. */
const spaced = (s) => JSON.stringify(s, null, 2);
const info = (s, withType = true) => (withType ? { schemaType: 'AVRO', schema: spaced(s) } : { schema: spaced(s) });

/* A failed call must surface as the client's RestError with the HTTP status and error_code. */
const restErr = (status, code) => (e) => [
    { RestError: e instanceof RestError, status: e.status, errorCode: e.errorCode },
    { RestError: true, status, errorCode: code },
];
/* Decoded records are avsc Record instances; compare their fields only. */
const fields = (rec) => ({ ...rec });

async function rest(t) {
    const S = 'orders-value';

    await t.step('getDefaultCompatibility', async () => {
        t.eq('getDefaultCompatibility on a fresh registry', await fresh().getDefaultCompatibility(), 'BACKWARD');
        const cfg = await fresh().getDefaultConfig();
        t.eq('getDefaultConfig compatibilityLevel', cfg.compatibilityLevel, 'BACKWARD');
    });
    await t.step('getAllSubjects empty', async () => {
        t.eq('getAllSubjects on a fresh registry', await fresh().getAllSubjects(), []);
    });

    await t.step('register', async () => {
        t.eq('register v1 (schemaType AVRO) -> id 1', await fresh().register(S, info(ORDER_V1)), 1);
        const full = await fresh().registerFullResponse(S, info(ORDER_V1));
        t.eq('registerFullResponse of the same schema (new client) -> id 1', full.id, 1);
        t.eq('register v2 (no schemaType) -> id 2', await fresh().register(S, info(ORDER_V2, false)), 2);
        t.eq('register v1 under a second subject -> same id 1', await fresh().register('other-value', info(ORDER_V1)), 1);
        t.eq('register with normalize=true -> existing id 2', await fresh().register(S, info(ORDER_V2), true), 2);
    });

    await t.step('getId / getIdFullResponse / getVersion', async () => {
        t.eq('getId v1', await fresh().getId(S, info(ORDER_V1)), 1);
        const full = await fresh().getIdFullResponse(S, info(ORDER_V2, false));
        t.eq('getIdFullResponse v2 fields', [full.subject, full.version, full.id, full.schema], [S, 2, 2, CANON_V2]);
        t.eq('getVersion v1', await fresh().getVersion(S, info(ORDER_V1), false, false), 1);
        t.eq('getVersion v2 (deleted=true)', await fresh().getVersion(S, info(ORDER_V2), false, true), 2);
    });
    await t.rejects('getId of an unregistered schema', () => fresh().getId(S, info(ORDER_BAD)), restErr(404, 40403));
    await t.rejects('getId under an unknown subject', () => fresh().getId('nope-value', info(ORDER_V1)), restErr(404, 40401));

    await t.step('getBySubjectAndId', async () => {
        const s1 = await fresh().getBySubjectAndId(S, 1);
        t.eq('getBySubjectAndId(S, 1).schema is canonical v1', s1.schema, CANON_V1);
        t.ok('getBySubjectAndId schemaType absent or AVRO', s1.schemaType === undefined || s1.schemaType === 'AVRO',
            `schemaType ${s1.schemaType}`);
        /* The client sends ?subject=undefined when no subject is given. */
        t.eq('getBySubjectAndId(undefined, 2) (?subject=undefined)', (await fresh().getBySubjectAndId(undefined, 2)).schema, CANON_V2);
        t.eq('getBySubjectAndId with a subject not holding the id', (await fresh().getBySubjectAndId('other-value', 2)).schema, CANON_V2);
    });
    await t.rejects('getBySubjectAndId of an unknown id', () => fresh().getBySubjectAndId(S, 999), restErr(404, 40403));

    await t.step('getLatestSchemaMetadata / getSchemaMetadata', async () => {
        const latest = await fresh().getLatestSchemaMetadata(S);
        t.eq('getLatestSchemaMetadata', [latest.subject, latest.version, latest.id, latest.schema], [S, 2, 2, CANON_V2]);
        const v1 = await fresh().getSchemaMetadata(S, 1);
        t.eq('getSchemaMetadata(S, 1)', [v1.subject, v1.version, v1.id, v1.schema], [S, 1, 1, CANON_V1]);
    });
    await t.rejects('getSchemaMetadata of a missing version', () => fresh().getSchemaMetadata(S, 7), restErr(404, 40402));
    await t.rejects('getLatestSchemaMetadata of an unknown subject', () => fresh().getLatestSchemaMetadata('nope-value'), restErr(404, 40401));

    await t.step('getAllVersions / getAllSubjects', async () => {
        t.eq('getAllVersions', await fresh().getAllVersions(S), [1, 2]);
        t.eq('getAllSubjects (sorted)', await fresh().getAllSubjects(), ['orders-value', 'other-value']);
    });

    await t.step('testSubjectCompatibility / testCompatibility', async () => {
        t.eq('testSubjectCompatibility(v2) against latest', await fresh().testSubjectCompatibility(S, info(ORDER_V2)), true);
        t.eq('testSubjectCompatibility(bad) against latest', await fresh().testSubjectCompatibility(S, info(ORDER_BAD)), false);
        t.eq('testCompatibility(S, 1, v2)', await fresh().testCompatibility(S, 1, info(ORDER_V2)), true);
        t.eq('testCompatibility(S, 1, bad)', await fresh().testCompatibility(S, 1, info(ORDER_BAD)), false);
    });
    await t.rejects('testCompatibility against a missing version', () => fresh().testCompatibility(S, 9, info(ORDER_V2)), restErr(404, 40402));
    await t.rejects('register an incompatible schema', () => fresh().register(S, info(ORDER_BAD)), restErr(409, 409));
    await t.rejects('register an invalid schema', () => fresh().register(S, { schema: '{"type":"record","name":"X"}' }), restErr(422, 42201));

    await t.rejects('getCompatibility with no subject-level config', () => fresh().getCompatibility(S), restErr(404, 40408));
    await t.rejects('getConfig with no subject-level config', () => fresh().getConfig(S), restErr(404, 40408));
    await t.step('updateCompatibility / getCompatibility', async () => {
        t.eq('updateCompatibility(S, FULL) returns FULL', await fresh().updateCompatibility(S, 'FULL'), 'FULL');
        t.eq('getCompatibility(S)', await fresh().getCompatibility(S), 'FULL');
        t.eq('getConfig(S).compatibilityLevel', (await fresh().getConfig(S)).compatibilityLevel, 'FULL');
        t.eq('default compatibility unchanged', await fresh().getDefaultCompatibility(), 'BACKWARD');
    });
    await t.step('updateConfig / getConfig', async () => {
        const r = await fresh().updateConfig(S, { compatibility: 'NONE' });
        t.eq('updateConfig(S, NONE) response', r.compatibility, 'NONE');
        t.eq('getConfig(S) after updateConfig', (await fresh().getConfig(S)).compatibilityLevel, 'NONE');
        t.eq('register the formerly incompatible schema under NONE -> id 3', await fresh().register(S, info(ORDER_BAD)), 3);
        t.eq('getAllVersions after NONE registration', await fresh().getAllVersions(S), [1, 2, 3]);
    });
    await t.step('updateDefaultCompatibility / updateDefaultConfig', async () => {
        t.eq('updateDefaultCompatibility(FULL_TRANSITIVE)', await fresh().updateDefaultCompatibility('FULL_TRANSITIVE'), 'FULL_TRANSITIVE');
        t.eq('getDefaultCompatibility after update', await fresh().getDefaultCompatibility(), 'FULL_TRANSITIVE');
        const r = await fresh().updateDefaultConfig({ compatibility: 'BACKWARD' });
        t.eq('updateDefaultConfig(BACKWARD) response', r.compatibility, 'BACKWARD');
        t.eq('getDefaultConfig after update', (await fresh().getDefaultConfig()).compatibilityLevel, 'BACKWARD');
    });
    await t.rejects('updateCompatibility with an invalid level', () => fresh().updateCompatibility(S, 'SIDEWAYS'), restErr(422, 42203));

    await t.step('deleteSubjectVersion', async () => {
        t.eq('deleteSubjectVersion(S, 3) soft', await fresh().deleteSubjectVersion(S, 3, false), 3);
        t.eq('getAllVersions after soft delete', await fresh().getAllVersions(S), [1, 2]);
        t.eq('getSchemaMetadata(S, 3, deleted=true) still readable', (await fresh().getSchemaMetadata(S, 3, true)).id, 3);
        t.eq('latest after soft-deleting v3', (await fresh().getLatestSchemaMetadata(S)).version, 2);
    });
    await t.rejects('getSchemaMetadata(S, 3) after soft delete', () => fresh().getSchemaMetadata(S, 3, false), restErr(404, 40402));
    await t.rejects('deleteSubjectVersion soft twice', () => fresh().deleteSubjectVersion(S, 3, false), restErr(404, 40406));
    await t.rejects('deleteSubjectVersion permanent without soft delete', () => fresh().deleteSubjectVersion(S, 2, true), restErr(404, 40407));
    await t.step('deleteSubjectVersion permanent', async () => {
        t.eq('deleteSubjectVersion(S, 3) permanent', await fresh().deleteSubjectVersion(S, 3, true), 3);
    });
    await t.rejects('getSchemaMetadata(S, 3, deleted=true) after permanent delete', () => fresh().getSchemaMetadata(S, 3, true), restErr(404, 40402));

    await t.rejects('deleteSubject permanent without soft delete', () => fresh().deleteSubject('other-value', true), restErr(404, 40405));
    await t.step('deleteSubject', async () => {
        t.eq('deleteSubject(S) soft', await fresh().deleteSubject(S, false), [1, 2]);
        t.eq('getAllSubjects after soft delete', await fresh().getAllSubjects(), ['other-value']);
        t.eq('getSchemaMetadata(S, 1, deleted=true) after subject soft delete', (await fresh().getSchemaMetadata(S, 1, true)).id, 1);
        t.eq('getId(deleted=true lookup) via getVersion', await fresh().getVersion(S, info(ORDER_V1), false, true), 1);
        t.eq('deleteSubject(S) permanent', await fresh().deleteSubject(S, true), [1, 2]);
        t.eq('id 1 still served (other-value holds it)', (await fresh().getBySubjectAndId('other-value', 1)).schema, CANON_V1);
    });
    await t.rejects('getAllVersions of a deleted subject', () => fresh().getAllVersions(S), restErr(404, 40401));
    await t.rejects('deleteSubject of a deleted subject', () => fresh().deleteSubject(S, false), restErr(404, 40401));

    /* 1.10.1 has no mode methods; its RestService (same headers, retries, error mapping) is
     * what an application would use for them. */
    const raw = async (path, method, body) => (await fresh().restService.handleRequest(path, method, body)).data;
    await t.step('modes through the client transport', async () => {
        t.eq('GET /mode', await raw('/mode', 'GET'), { mode: 'READWRITE' });
        t.eq('PUT /mode/other-value READONLY', await raw('/mode/other-value', 'PUT', { mode: 'READONLY' }), { mode: 'READONLY' });
        t.eq('GET /mode/other-value', await raw('/mode/other-value', 'GET'), { mode: 'READONLY' });
    });
    await t.rejects('register in a READONLY subject', () => fresh().register('other-value', info(ORDER_V2)), restErr(422, 42205));
    await t.step('modes through the client transport (reset)', async () => {
        t.eq('registering an existing schema is allowed in READONLY', await fresh().register('other-value', info(ORDER_V1)), 1);
        t.eq('DELETE /mode/other-value', await raw('/mode/other-value', 'DELETE'), { mode: 'READONLY' });
        /* Every carrier of ids 2 and 3 was hard-deleted above: ids are never reused, so 4. */
        t.eq('register after the mode was removed -> new id 4', await fresh().register('other-value', info(ORDER_V2)), 4);
        t.eq('delete that version again', await fresh().deleteSubjectVersion('other-value', 2, false), 2);
    });
    await t.rejects('GET /mode of a subject without own mode', () => raw('/mode/other-value', 'GET'), restErr(404, 40409));

    /* Not served (docs/clients.md): associations answer 404, which is exactly what makes the
     * ASSOCIATED subject strategy fall back to <topic>-value; guids are 8.x only. */
    await t.rejects('getAssociationsByResourceName is 404', () =>
        fresh().getAssociationsByResourceName('orders', '-', 'topic', ['value'], null, 0, -1), restErr(404, 404));
    await t.rejects('getByGuid is 404', () => fresh().getByGuid('e2f4a1b0-0000-4000-8000-000000000001'), restErr(404, 404));

    await t.step('subject names needing percent-encoding', async () => {
        const odd = 'team a/orders?v=1';
        t.eq('register under an odd subject name', await fresh().register(odd, info(ORDER_V1)), 1);
        const m = await fresh().getLatestSchemaMetadata(odd);
        t.eq('getLatestSchemaMetadata of the odd subject', [m.subject, m.version, m.id], [odd, 1, 1]);
        t.eq('getCompatibility after updateCompatibility on the odd subject',
            [await fresh().updateCompatibility(odd, 'FORWARD'), await fresh().getCompatibility(odd)], ['FORWARD', 'FORWARD']);
        t.ok('getAllSubjects lists the odd subject', (await fresh().getAllSubjects()).includes(odd));
    });
}

/* The Confluent wire format built by hand (not by avsc): magic 0, id as 4 bytes big-endian. */
function wire(id, ...avroParts) {
    const header = Buffer.alloc(5);
    header.writeUInt8(0, 0);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, ...avroParts.map((p) => Buffer.from(p))]);
}
const avroString = (s) => [Buffer.from([s.length * 2]), Buffer.from(s, 'utf8')]; /* short strings only */

async function serde(t) {
    const topic = 'shipments';
    const S = `${topic}-value`;
    const client = fresh();
    let idV1;
    let idV2;
    let bytesV1;

    await t.step('serializer with an explicit schema id (useSchemaId)', async () => {
        idV1 = await fresh().register(S, info(ORDER_V1));
        const ser = new AvroSerializer(client, SerdeType.VALUE, { useSchemaId: idV1, autoRegisterSchemas: false });
        bytesV1 = await ser.serialize(topic, { id: 42, item: 'widget' });
        /* 42 -> zigzag 0x54; "widget" -> length 6 zigzag 0x0c then the bytes. */
        t.eq('useSchemaId: wire bytes', bytesV1.toString('hex'), wire(idV1, [0x54], ...avroString('widget')).toString('hex'));
        const de = new AvroDeserializer(fresh(), SerdeType.VALUE, {});
        t.eq('default deserializer decodes it', fields(await de.deserialize(topic, bytesV1)), { id: 42, item: 'widget' });
    });

    let bytesV2;
    await t.step('serializer with useLatestVersion', async () => {
        idV2 = await fresh().register(S, info(ORDER_V2));
        t.ok('v2 got a new id', idV2 > idV1, `idV1=${idV1} idV2=${idV2}`);
        const ser = new AvroSerializer(fresh(), SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
        bytesV2 = await ser.serialize(topic, { id: 7, item: 'bolt', qty: 3 });
        t.eq('useLatestVersion: wire bytes use the latest id', bytesV2.toString('hex'),
            wire(idV2, [0x0e], ...avroString('bolt'), [0x06]).toString('hex'));
        const de = new AvroDeserializer(fresh(), SerdeType.VALUE, {});
        t.eq('default deserializer decodes v2 data', fields(await de.deserialize(topic, bytesV2)), { id: 7, item: 'bolt', qty: 3 });
    });

    await t.step('old data read with a newer reader schema', async () => {
        /* useLatestVersion on the deserializer: reader = latest (v2); it also looks the writer
         * schema up with POST /subjects/S?deleted=true to learn its version. */
        const de = new AvroDeserializer(fresh(), SerdeType.VALUE, { useLatestVersion: true });
        t.eq('v1 bytes decoded with the v2 reader (qty defaulted)', fields(await de.deserialize(topic, bytesV1)), { id: 42, item: 'widget', qty: 1 });
        t.eq('v2 bytes decoded with the v2 reader', fields(await de.deserialize(topic, bytesV2)), { id: 7, item: 'bolt', qty: 3 });
    });

    await t.step('TOPIC strategy (no associations probe)', async () => {
        const ser = new AvroSerializer(fresh(), SerdeType.VALUE,
            { useLatestVersion: true, autoRegisterSchemas: false, subjectNameStrategyType: SubjectNameStrategyType.TOPIC });
        const b = await ser.serialize(topic, { id: 7, item: 'bolt', qty: 3 });
        t.eq('TOPIC strategy bytes equal the ASSOCIATED-fallback bytes', b.toString('hex'), bytesV2.toString('hex'));
    });

    await t.step('default flow: auto-register the schema inferred from the value', async () => {
        const ser = new AvroSerializer(fresh(), SerdeType.VALUE, { autoRegisterSchemas: true });
        const msg = { id: 5, page: 'home' };
        const b1 = await ser.serialize('clicks', msg);
        const b2 = await ser.serialize('clicks', { id: 6, page: 'cart' });
        const latest = await fresh().getLatestSchemaMetadata('clicks-value');
        t.eq('inferred schema registered as clicks-value v1', latest.version, 1);
        const schema = JSON.parse(latest.schema);
        t.eq('inferred schema shape', [schema.type, schema.name, schema.fields], ['record', 'Record1',
            [{ name: 'id', type: 'int' }, { name: 'page', type: 'string' }]]);
        t.eq('auto-register: wire header carries the registered id', b1.subarray(0, 5).toString('hex'), wire(latest.id).toString('hex'));
        t.eq('auto-register: body', b1.subarray(5).toString('hex'), Buffer.concat([Buffer.from([0x0a]), ...avroString('home')]).toString('hex'));
        t.eq('second serialize reuses the id', b2.readUInt32BE(1), latest.id);
        t.eq('still one version', await fresh().getAllVersions('clicks-value'), [1]);
        const de = new AvroDeserializer(fresh(), SerdeType.VALUE, {});
        t.eq('round trip of the inferred-schema record', fields(await de.deserialize('clicks', b1)), msg);
    });

    await t.step('default flow without auto-register looks the inferred schema up', async () => {
        const ser = new AvroSerializer(fresh(), SerdeType.VALUE, {});
        const b = await ser.serialize('clicks', { id: 9, page: 'faq' });
        t.eq('lookup found the registered inferred schema', b.readUInt32BE(1), (await fresh().getLatestSchemaMetadata('clicks-value')).id);
    });
    await t.rejects('lookup of an unregistered inferred schema', () =>
        new AvroSerializer(fresh(), SerdeType.VALUE, {}).serialize('clicks', { id: 'x', page: 1 }), restErr(404, 40403));
    await t.rejects('lookup under a topic without subject', () =>
        new AvroSerializer(fresh(), SerdeType.VALUE, {}).serialize('nowhere', { id: 1 }), restErr(404, 40401));

    await t.step('metadata: getLatestWithMetadata and useLatestWithMetadata', async () => {
        const M = 'invoices-value';
        const withMeta = (s, owner) => ({ ...info(s), metadata: { properties: { owner } } });
        const idA = await fresh().register(M, withMeta(ORDER_V1, 'team-a'));
        const idB = await fresh().register(M, withMeta(ORDER_V2, 'team-b'));
        t.ok('schema with different metadata gets a new id', idB !== idA, `idA=${idA} idB=${idB}`);
        const a = await fresh().getLatestWithMetadata(M, { owner: 'team-a' });
        t.eq('getLatestWithMetadata(owner=team-a)', [a.subject, a.version, a.id, a.metadata], [M, 1, idA, { properties: { owner: 'team-a' } }]);
        const b = await fresh().getLatestWithMetadata(M, { owner: 'team-b' }, true);
        t.eq('getLatestWithMetadata(owner=team-b, deleted=true)', [b.version, b.id], [2, idB]);
        const ser = new AvroSerializer(fresh(), SerdeType.VALUE,
            { useLatestWithMetadata: { owner: 'team-a' }, autoRegisterSchemas: false });
        const bytes = await ser.serialize('invoices', { id: 42, item: 'widget' });
        t.eq('useLatestWithMetadata serializer writes with the matching id', bytes.toString('hex'),
            wire(idA, [0x54], ...avroString('widget')).toString('hex'));
        const de = new AvroDeserializer(fresh(), SerdeType.VALUE, { useLatestWithMetadata: { owner: 'team-b' } });
        t.eq('useLatestWithMetadata deserializer reads v1 data as v2', fields(await de.deserialize('invoices', bytes)),
            { id: 42, item: 'widget', qty: 1 });
    });
    await t.rejects('getLatestWithMetadata without a match', () => fresh().getLatestWithMetadata('invoices-value', { owner: 'nobody' }),
        restErr(404, 40403));

    await t.step('deserializing data whose writer version was soft-deleted', async () => {
        t.eq('soft-delete shipments-value v1', await fresh().deleteSubjectVersion(S, 1, false), 1);
        const de = new AvroDeserializer(fresh(), SerdeType.VALUE, { useLatestVersion: true });
        t.eq('v1 bytes still decode with the latest reader', fields(await de.deserialize(topic, bytesV1)), { id: 42, item: 'widget', qty: 1 });
    });
}

(async () => {
    const t = new Checks('@confluentinc/schemaregistry');
    await rest(t);
    await serde(t);
    t.finish();
})().catch((e) => {
    console.log(`FAIL - harness: ${e && e.stack}`);
    console.log('@confluentinc/schemaregistry: 0 passed, 1 failed');
    process.exitCode = 1;
});
