/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const chat = $root.chat = (() => {

    /**
     * Namespace chat.
     * @exports chat
     * @namespace
     */
    const chat = {};

    chat.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof chat
         * @namespace
         */
        const v1 = {};

        v1.Send = (function() {

            /**
             * Properties of a Send.
             * @typedef {Object} chat.v1.Send.$Properties
             * @property {string|null} [roomId] Send roomId
             * @property {string|null} [clientMsgId] Send clientMsgId
             * @property {number|null} [roomVersion] Send roomVersion
             * @property {Uint8Array|null} [body] Send body
             * @property {string|null} [contentType] Send contentType
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Send.
             * @memberof chat.v1
             * @interface ISend
             * @augments chat.v1.Send.$Properties
             * @deprecated Use chat.v1.Send.$Properties instead.
             */

            /**
             * Shape of a Send.
             * @typedef {chat.v1.Send.$Properties} chat.v1.Send.$Shape
             */

            /**
             * Constructs a new Send.
             * @memberof chat.v1
             * @classdesc Represents a Send.
             * @constructor
             * @param {chat.v1.Send.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Send = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Send roomId.
             * @member {string} roomId
             * @memberof chat.v1.Send
             * @instance
             */
            Send.prototype.roomId = "";

            /**
             * Send clientMsgId.
             * @member {string} clientMsgId
             * @memberof chat.v1.Send
             * @instance
             */
            Send.prototype.clientMsgId = "";

            /**
             * Send roomVersion.
             * @member {number} roomVersion
             * @memberof chat.v1.Send
             * @instance
             */
            Send.prototype.roomVersion = 0;

            /**
             * Send body.
             * @member {Uint8Array} body
             * @memberof chat.v1.Send
             * @instance
             */
            Send.prototype.body = $util.newBuffer([]);

            /**
             * Send contentType.
             * @member {string} contentType
             * @memberof chat.v1.Send
             * @instance
             */
            Send.prototype.contentType = "";

            /**
             * Creates a new Send instance using the specified properties.
             * @function create
             * @memberof chat.v1.Send
             * @static
             * @param {chat.v1.Send.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Send} Send instance
             * @type {{
             *   (properties: chat.v1.Send.$Shape): chat.v1.Send & chat.v1.Send.$Shape;
             *   (properties?: chat.v1.Send.$Properties): chat.v1.Send;
             * }}
             */
            Send.create = function(properties) {
                return new Send(properties);
            };

            /**
             * Encodes the specified Send message. Does not implicitly {@link chat.v1.Send.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Send
             * @static
             * @param {chat.v1.Send.$Properties} message Send message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Send.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.roomId != null && $Object.hasOwnProperty.call(message, "roomId") && message.roomId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.roomId);
                if (message.clientMsgId != null && $Object.hasOwnProperty.call(message, "clientMsgId") && message.clientMsgId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.clientMsgId);
                if (message.roomVersion != null && $Object.hasOwnProperty.call(message, "roomVersion") && message.roomVersion !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.roomVersion);
                if (message.body != null && $Object.hasOwnProperty.call(message, "body") && message.body.length)
                    writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.body);
                if (message.contentType != null && $Object.hasOwnProperty.call(message, "contentType") && message.contentType !== "")
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.contentType);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Send message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Send
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Send & chat.v1.Send.$Shape} Send
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Send.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Send();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.roomId = value;
                            else
                                delete message.roomId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.clientMsgId = value;
                            else
                                delete message.clientMsgId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.roomVersion = value;
                            else
                                delete message.roomVersion;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.body = value;
                            else
                                delete message.body;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.contentType = value;
                            else
                                delete message.contentType;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Send
             * @function getTypeUrl
             * @memberof chat.v1.Send
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Send.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Send";
            };

            return Send;
        })();

        v1.Message = (function() {

            /**
             * Properties of a Message.
             * @typedef {Object} chat.v1.Message.$Properties
             * @property {string|null} [roomId] Message roomId
             * @property {number|null} [seq] Message seq
             * @property {number|null} [epoch] Message epoch
             * @property {string|null} [senderId] Message senderId
             * @property {string|null} [senderDevice] Message senderDevice
             * @property {string|null} [clientMsgId] Message clientMsgId
             * @property {number|null} [sentAtMs] Message sentAtMs
             * @property {Uint8Array|null} [body] Message body
             * @property {string|null} [contentType] Message contentType
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Message.
             * @memberof chat.v1
             * @interface IMessage
             * @augments chat.v1.Message.$Properties
             * @deprecated Use chat.v1.Message.$Properties instead.
             */

            /**
             * Shape of a Message.
             * @typedef {chat.v1.Message.$Properties} chat.v1.Message.$Shape
             */

            /**
             * Constructs a new Message.
             * @memberof chat.v1
             * @classdesc Represents a Message.
             * @constructor
             * @param {chat.v1.Message.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Message = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Message roomId.
             * @member {string} roomId
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.roomId = "";

            /**
             * Message seq.
             * @member {number} seq
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Message epoch.
             * @member {number} epoch
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.epoch = 0;

            /**
             * Message senderId.
             * @member {string} senderId
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.senderId = "";

            /**
             * Message senderDevice.
             * @member {string} senderDevice
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.senderDevice = "";

            /**
             * Message clientMsgId.
             * @member {string} clientMsgId
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.clientMsgId = "";

            /**
             * Message sentAtMs.
             * @member {number} sentAtMs
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.sentAtMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Message body.
             * @member {Uint8Array} body
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.body = $util.newBuffer([]);

            /**
             * Message contentType.
             * @member {string} contentType
             * @memberof chat.v1.Message
             * @instance
             */
            Message.prototype.contentType = "";

            /**
             * Creates a new Message instance using the specified properties.
             * @function create
             * @memberof chat.v1.Message
             * @static
             * @param {chat.v1.Message.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Message} Message instance
             * @type {{
             *   (properties: chat.v1.Message.$Shape): chat.v1.Message & chat.v1.Message.$Shape;
             *   (properties?: chat.v1.Message.$Properties): chat.v1.Message;
             * }}
             */
            Message.create = function(properties) {
                return new Message(properties);
            };

            /**
             * Encodes the specified Message message. Does not implicitly {@link chat.v1.Message.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Message
             * @static
             * @param {chat.v1.Message.$Properties} message Message message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Message.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.roomId != null && $Object.hasOwnProperty.call(message, "roomId") && message.roomId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.roomId);
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.seq);
                if (message.epoch != null && $Object.hasOwnProperty.call(message, "epoch") && message.epoch !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.epoch);
                if (message.senderId != null && $Object.hasOwnProperty.call(message, "senderId") && message.senderId !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.senderId);
                if (message.senderDevice != null && $Object.hasOwnProperty.call(message, "senderDevice") && message.senderDevice !== "")
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.senderDevice);
                if (message.clientMsgId != null && $Object.hasOwnProperty.call(message, "clientMsgId") && message.clientMsgId !== "")
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.clientMsgId);
                if (message.sentAtMs != null && $Object.hasOwnProperty.call(message, "sentAtMs") && (typeof message.sentAtMs === "object" ? message.sentAtMs.low || message.sentAtMs.high : message.sentAtMs !== 0))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.sentAtMs);
                if (message.body != null && $Object.hasOwnProperty.call(message, "body") && message.body.length)
                    writer.uint32(/* id 8, wireType 2 =*/66).bytes(message.body);
                if (message.contentType != null && $Object.hasOwnProperty.call(message, "contentType") && message.contentType !== "")
                    writer.uint32(/* id 9, wireType 2 =*/74).string(message.contentType);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Message message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Message
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Message & chat.v1.Message.$Shape} Message
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Message.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Message();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.roomId = value;
                            else
                                delete message.roomId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.epoch = value;
                            else
                                delete message.epoch;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.senderId = value;
                            else
                                delete message.senderId;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.senderDevice = value;
                            else
                                delete message.senderDevice;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.clientMsgId = value;
                            else
                                delete message.clientMsgId;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.sentAtMs = value;
                            else
                                delete message.sentAtMs;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.body = value;
                            else
                                delete message.body;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.contentType = value;
                            else
                                delete message.contentType;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Message
             * @function getTypeUrl
             * @memberof chat.v1.Message
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Message.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Message";
            };

            return Message;
        })();

        v1.InboxItem = (function() {

            /**
             * Properties of an InboxItem.
             * @typedef {Object} chat.v1.InboxItem.$Properties
             * @property {chat.v1.Ack.$Properties|null} [ack] InboxItem ack
             * @property {chat.v1.Nack.$Properties|null} [nack] InboxItem nack
             * @property {chat.v1.RoomEvent.$Properties|null} [event] InboxItem event
             * @property {chat.v1.KeysLow.$Properties|null} [keysLow] InboxItem keysLow
             * @property {"ack"|"nack"|"event"|"keysLow"} [item] InboxItem item
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an InboxItem.
             * @memberof chat.v1
             * @interface IInboxItem
             * @augments chat.v1.InboxItem.$Properties
             * @deprecated Use chat.v1.InboxItem.$Properties instead.
             */

            /**
             * Narrowed shape of an InboxItem.
             * @typedef {{
             *   ack?: chat.v1.Ack.$Shape|null;
             *   nack?: chat.v1.Nack.$Shape|null;
             *   event?: chat.v1.RoomEvent.$Shape|null;
             *   keysLow?: chat.v1.KeysLow.$Shape|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ item?: undefined; ack?: null; nack?: null; event?: null; keysLow?: null }|{ item?: "ack"; ack: chat.v1.Ack.$Shape; nack?: null; event?: null; keysLow?: null }|{ item?: "nack"; ack?: null; nack: chat.v1.Nack.$Shape; event?: null; keysLow?: null }|{ item?: "event"; ack?: null; nack?: null; event: chat.v1.RoomEvent.$Shape; keysLow?: null }|{ item?: "keysLow"; ack?: null; nack?: null; event?: null; keysLow: chat.v1.KeysLow.$Shape })
             * )} chat.v1.InboxItem.$Shape
             */

            /**
             * Constructs a new InboxItem.
             * @memberof chat.v1
             * @classdesc Represents an InboxItem.
             * @constructor
             * @param {chat.v1.InboxItem.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const InboxItem = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * InboxItem ack.
             * @member {chat.v1.Ack.$Properties|null|undefined} ack
             * @memberof chat.v1.InboxItem
             * @instance
             */
            InboxItem.prototype.ack = null;

            /**
             * InboxItem nack.
             * @member {chat.v1.Nack.$Properties|null|undefined} nack
             * @memberof chat.v1.InboxItem
             * @instance
             */
            InboxItem.prototype.nack = null;

            /**
             * InboxItem event.
             * @member {chat.v1.RoomEvent.$Properties|null|undefined} event
             * @memberof chat.v1.InboxItem
             * @instance
             */
            InboxItem.prototype.event = null;

            /**
             * InboxItem keysLow.
             * @member {chat.v1.KeysLow.$Properties|null|undefined} keysLow
             * @memberof chat.v1.InboxItem
             * @instance
             */
            InboxItem.prototype.keysLow = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * InboxItem item.
             * @member {"ack"|"nack"|"event"|"keysLow"|undefined} item
             * @memberof chat.v1.InboxItem
             * @instance
             */
            $Object.defineProperty(InboxItem.prototype, "item", {
                get: $util.oneOfGetter($oneOfFields = ["ack", "nack", "event", "keysLow"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new InboxItem instance using the specified properties.
             * @function create
             * @memberof chat.v1.InboxItem
             * @static
             * @param {chat.v1.InboxItem.$Properties=} [properties] Properties to set
             * @returns {chat.v1.InboxItem} InboxItem instance
             * @type {{
             *   (properties: chat.v1.InboxItem.$Shape): chat.v1.InboxItem & chat.v1.InboxItem.$Shape;
             *   (properties?: chat.v1.InboxItem.$Properties): chat.v1.InboxItem;
             * }}
             */
            InboxItem.create = function(properties) {
                return new InboxItem(properties);
            };

            /**
             * Encodes the specified InboxItem message. Does not implicitly {@link chat.v1.InboxItem.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.InboxItem
             * @static
             * @param {chat.v1.InboxItem.$Properties} message InboxItem message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            InboxItem.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.ack != null && $Object.hasOwnProperty.call(message, "ack"))
                    $root.chat.v1.Ack.encode(message.ack, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.nack != null && $Object.hasOwnProperty.call(message, "nack"))
                    $root.chat.v1.Nack.encode(message.nack, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.event != null && $Object.hasOwnProperty.call(message, "event"))
                    $root.chat.v1.RoomEvent.encode(message.event, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.keysLow != null && $Object.hasOwnProperty.call(message, "keysLow"))
                    $root.chat.v1.KeysLow.encode(message.keysLow, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an InboxItem message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.InboxItem
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.InboxItem & chat.v1.InboxItem.$Shape} InboxItem
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            InboxItem.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.InboxItem();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.ack = $root.chat.v1.Ack.decode(reader, reader.size(), $undefined, _depth + 1, message.ack);
                            message.item = "ack";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.nack = $root.chat.v1.Nack.decode(reader, reader.size(), $undefined, _depth + 1, message.nack);
                            message.item = "nack";
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            message.event = $root.chat.v1.RoomEvent.decode(reader, reader.size(), $undefined, _depth + 1, message.event);
                            message.item = "event";
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.keysLow = $root.chat.v1.KeysLow.decode(reader, reader.size(), $undefined, _depth + 1, message.keysLow);
                            message.item = "keysLow";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for InboxItem
             * @function getTypeUrl
             * @memberof chat.v1.InboxItem
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            InboxItem.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.InboxItem";
            };

            return InboxItem;
        })();

        v1.KeysLow = (function() {

            /**
             * Properties of a KeysLow.
             * @typedef {Object} chat.v1.KeysLow.$Properties
             * @property {string|null} [deviceId] KeysLow deviceId
             * @property {number|null} [remaining] KeysLow remaining
             * @property {number|null} [remainingKyber] KeysLow remainingKyber
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a KeysLow.
             * @memberof chat.v1
             * @interface IKeysLow
             * @augments chat.v1.KeysLow.$Properties
             * @deprecated Use chat.v1.KeysLow.$Properties instead.
             */

            /**
             * Shape of a KeysLow.
             * @typedef {chat.v1.KeysLow.$Properties} chat.v1.KeysLow.$Shape
             */

            /**
             * Constructs a new KeysLow.
             * @memberof chat.v1
             * @classdesc Represents a KeysLow.
             * @constructor
             * @param {chat.v1.KeysLow.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const KeysLow = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * KeysLow deviceId.
             * @member {string} deviceId
             * @memberof chat.v1.KeysLow
             * @instance
             */
            KeysLow.prototype.deviceId = "";

            /**
             * KeysLow remaining.
             * @member {number} remaining
             * @memberof chat.v1.KeysLow
             * @instance
             */
            KeysLow.prototype.remaining = 0;

            /**
             * KeysLow remainingKyber.
             * @member {number} remainingKyber
             * @memberof chat.v1.KeysLow
             * @instance
             */
            KeysLow.prototype.remainingKyber = 0;

            /**
             * Creates a new KeysLow instance using the specified properties.
             * @function create
             * @memberof chat.v1.KeysLow
             * @static
             * @param {chat.v1.KeysLow.$Properties=} [properties] Properties to set
             * @returns {chat.v1.KeysLow} KeysLow instance
             * @type {{
             *   (properties: chat.v1.KeysLow.$Shape): chat.v1.KeysLow & chat.v1.KeysLow.$Shape;
             *   (properties?: chat.v1.KeysLow.$Properties): chat.v1.KeysLow;
             * }}
             */
            KeysLow.create = function(properties) {
                return new KeysLow(properties);
            };

            /**
             * Encodes the specified KeysLow message. Does not implicitly {@link chat.v1.KeysLow.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.KeysLow
             * @static
             * @param {chat.v1.KeysLow.$Properties} message KeysLow message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            KeysLow.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.deviceId != null && $Object.hasOwnProperty.call(message, "deviceId") && message.deviceId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.deviceId);
                if (message.remaining != null && $Object.hasOwnProperty.call(message, "remaining") && message.remaining !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.remaining);
                if (message.remainingKyber != null && $Object.hasOwnProperty.call(message, "remainingKyber") && message.remainingKyber !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.remainingKyber);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a KeysLow message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.KeysLow
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.KeysLow & chat.v1.KeysLow.$Shape} KeysLow
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            KeysLow.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.KeysLow();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.deviceId = value;
                            else
                                delete message.deviceId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.remaining = value;
                            else
                                delete message.remaining;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.remainingKyber = value;
                            else
                                delete message.remainingKyber;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for KeysLow
             * @function getTypeUrl
             * @memberof chat.v1.KeysLow
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            KeysLow.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.KeysLow";
            };

            return KeysLow;
        })();

        v1.Ack = (function() {

            /**
             * Properties of an Ack.
             * @typedef {Object} chat.v1.Ack.$Properties
             * @property {string|null} [roomId] Ack roomId
             * @property {string|null} [clientMsgId] Ack clientMsgId
             * @property {number|null} [seq] Ack seq
             * @property {boolean|null} [duplicate] Ack duplicate
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Ack.
             * @memberof chat.v1
             * @interface IAck
             * @augments chat.v1.Ack.$Properties
             * @deprecated Use chat.v1.Ack.$Properties instead.
             */

            /**
             * Shape of an Ack.
             * @typedef {chat.v1.Ack.$Properties} chat.v1.Ack.$Shape
             */

            /**
             * Constructs a new Ack.
             * @memberof chat.v1
             * @classdesc Represents an Ack.
             * @constructor
             * @param {chat.v1.Ack.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Ack = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Ack roomId.
             * @member {string} roomId
             * @memberof chat.v1.Ack
             * @instance
             */
            Ack.prototype.roomId = "";

            /**
             * Ack clientMsgId.
             * @member {string} clientMsgId
             * @memberof chat.v1.Ack
             * @instance
             */
            Ack.prototype.clientMsgId = "";

            /**
             * Ack seq.
             * @member {number} seq
             * @memberof chat.v1.Ack
             * @instance
             */
            Ack.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Ack duplicate.
             * @member {boolean} duplicate
             * @memberof chat.v1.Ack
             * @instance
             */
            Ack.prototype.duplicate = false;

            /**
             * Creates a new Ack instance using the specified properties.
             * @function create
             * @memberof chat.v1.Ack
             * @static
             * @param {chat.v1.Ack.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Ack} Ack instance
             * @type {{
             *   (properties: chat.v1.Ack.$Shape): chat.v1.Ack & chat.v1.Ack.$Shape;
             *   (properties?: chat.v1.Ack.$Properties): chat.v1.Ack;
             * }}
             */
            Ack.create = function(properties) {
                return new Ack(properties);
            };

            /**
             * Encodes the specified Ack message. Does not implicitly {@link chat.v1.Ack.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Ack
             * @static
             * @param {chat.v1.Ack.$Properties} message Ack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.roomId != null && $Object.hasOwnProperty.call(message, "roomId") && message.roomId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.roomId);
                if (message.clientMsgId != null && $Object.hasOwnProperty.call(message, "clientMsgId") && message.clientMsgId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.clientMsgId);
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.seq);
                if (message.duplicate != null && $Object.hasOwnProperty.call(message, "duplicate") && message.duplicate !== false)
                    writer.uint32(/* id 4, wireType 0 =*/32).bool(message.duplicate);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Ack & chat.v1.Ack.$Shape} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Ack();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.roomId = value;
                            else
                                delete message.roomId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.clientMsgId = value;
                            else
                                delete message.clientMsgId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.duplicate = value;
                            else
                                delete message.duplicate;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Ack
             * @function getTypeUrl
             * @memberof chat.v1.Ack
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Ack.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Ack";
            };

            return Ack;
        })();

        /**
         * NackReason enum.
         * @name chat.v1.NackReason
         * @enum {number}
         * @property {number} NACK_REASON_UNSPECIFIED=0 NACK_REASON_UNSPECIFIED value
         * @property {number} NACK_REASON_MALFORMED=1 NACK_REASON_MALFORMED value
         * @property {number} NACK_REASON_ROOM_NOT_FOUND=2 NACK_REASON_ROOM_NOT_FOUND value
         * @property {number} NACK_REASON_NOT_MEMBER=3 NACK_REASON_NOT_MEMBER value
         * @property {number} NACK_REASON_STALE_ROOM_VERSION=4 NACK_REASON_STALE_ROOM_VERSION value
         * @property {number} NACK_REASON_TOO_LARGE=5 NACK_REASON_TOO_LARGE value
         * @property {number} NACK_REASON_RATE_LIMITED=6 NACK_REASON_RATE_LIMITED value
         * @property {number} NACK_REASON_UNAVAILABLE=7 NACK_REASON_UNAVAILABLE value
         */
        v1.NackReason = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "NACK_REASON_UNSPECIFIED"] = 0;
            values[valuesById[1] = "NACK_REASON_MALFORMED"] = 1;
            values[valuesById[2] = "NACK_REASON_ROOM_NOT_FOUND"] = 2;
            values[valuesById[3] = "NACK_REASON_NOT_MEMBER"] = 3;
            values[valuesById[4] = "NACK_REASON_STALE_ROOM_VERSION"] = 4;
            values[valuesById[5] = "NACK_REASON_TOO_LARGE"] = 5;
            values[valuesById[6] = "NACK_REASON_RATE_LIMITED"] = 6;
            values[valuesById[7] = "NACK_REASON_UNAVAILABLE"] = 7;
            return values;
        })();

        v1.Nack = (function() {

            /**
             * Properties of a Nack.
             * @typedef {Object} chat.v1.Nack.$Properties
             * @property {string|null} [roomId] Nack roomId
             * @property {string|null} [clientMsgId] Nack clientMsgId
             * @property {chat.v1.NackReason|null} [reason] Nack reason
             * @property {number|null} [roomVersion] Nack roomVersion
             * @property {string|null} [detail] Nack detail
             * @property {number|null} [retryAfterMs] Nack retryAfterMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Nack.
             * @memberof chat.v1
             * @interface INack
             * @augments chat.v1.Nack.$Properties
             * @deprecated Use chat.v1.Nack.$Properties instead.
             */

            /**
             * Shape of a Nack.
             * @typedef {chat.v1.Nack.$Properties} chat.v1.Nack.$Shape
             */

            /**
             * Constructs a new Nack.
             * @memberof chat.v1
             * @classdesc Represents a Nack.
             * @constructor
             * @param {chat.v1.Nack.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Nack = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Nack roomId.
             * @member {string} roomId
             * @memberof chat.v1.Nack
             * @instance
             */
            Nack.prototype.roomId = "";

            /**
             * Nack clientMsgId.
             * @member {string} clientMsgId
             * @memberof chat.v1.Nack
             * @instance
             */
            Nack.prototype.clientMsgId = "";

            /**
             * Nack reason.
             * @member {chat.v1.NackReason} reason
             * @memberof chat.v1.Nack
             * @instance
             */
            Nack.prototype.reason = 0;

            /**
             * Nack roomVersion.
             * @member {number} roomVersion
             * @memberof chat.v1.Nack
             * @instance
             */
            Nack.prototype.roomVersion = 0;

            /**
             * Nack detail.
             * @member {string} detail
             * @memberof chat.v1.Nack
             * @instance
             */
            Nack.prototype.detail = "";

            /**
             * Nack retryAfterMs.
             * @member {number} retryAfterMs
             * @memberof chat.v1.Nack
             * @instance
             */
            Nack.prototype.retryAfterMs = 0;

            /**
             * Creates a new Nack instance using the specified properties.
             * @function create
             * @memberof chat.v1.Nack
             * @static
             * @param {chat.v1.Nack.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Nack} Nack instance
             * @type {{
             *   (properties: chat.v1.Nack.$Shape): chat.v1.Nack & chat.v1.Nack.$Shape;
             *   (properties?: chat.v1.Nack.$Properties): chat.v1.Nack;
             * }}
             */
            Nack.create = function(properties) {
                return new Nack(properties);
            };

            /**
             * Encodes the specified Nack message. Does not implicitly {@link chat.v1.Nack.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Nack
             * @static
             * @param {chat.v1.Nack.$Properties} message Nack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Nack.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.roomId != null && $Object.hasOwnProperty.call(message, "roomId") && message.roomId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.roomId);
                if (message.clientMsgId != null && $Object.hasOwnProperty.call(message, "clientMsgId") && message.clientMsgId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.clientMsgId);
                if (message.reason != null && $Object.hasOwnProperty.call(message, "reason") && message.reason !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).int32(message.reason);
                if (message.roomVersion != null && $Object.hasOwnProperty.call(message, "roomVersion") && message.roomVersion !== 0)
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.roomVersion);
                if (message.detail != null && $Object.hasOwnProperty.call(message, "detail") && message.detail !== "")
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.detail);
                if (message.retryAfterMs != null && $Object.hasOwnProperty.call(message, "retryAfterMs") && message.retryAfterMs !== 0)
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.retryAfterMs);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Nack message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Nack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Nack & chat.v1.Nack.$Shape} Nack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Nack.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Nack();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.roomId = value;
                            else
                                delete message.roomId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.clientMsgId = value;
                            else
                                delete message.clientMsgId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.reason = value;
                            else
                                delete message.reason;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.roomVersion = value;
                            else
                                delete message.roomVersion;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.detail = value;
                            else
                                delete message.detail;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.retryAfterMs = value;
                            else
                                delete message.retryAfterMs;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Nack
             * @function getTypeUrl
             * @memberof chat.v1.Nack
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Nack.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Nack";
            };

            return Nack;
        })();

        /**
         * RoomEventKind enum.
         * @name chat.v1.RoomEventKind
         * @enum {number}
         * @property {number} ROOM_EVENT_KIND_UNSPECIFIED=0 ROOM_EVENT_KIND_UNSPECIFIED value
         * @property {number} ROOM_EVENT_KIND_CREATED=1 ROOM_EVENT_KIND_CREATED value
         * @property {number} ROOM_EVENT_KIND_MEMBER_ADDED=2 ROOM_EVENT_KIND_MEMBER_ADDED value
         * @property {number} ROOM_EVENT_KIND_MEMBER_REMOVED=3 ROOM_EVENT_KIND_MEMBER_REMOVED value
         * @property {number} ROOM_EVENT_KIND_METADATA_CHANGED=4 ROOM_EVENT_KIND_METADATA_CHANGED value
         * @property {number} ROOM_EVENT_KIND_IDENTITY_CHANGED=5 ROOM_EVENT_KIND_IDENTITY_CHANGED value
         * @property {number} ROOM_EVENT_KIND_DEVICE_ADDED=6 ROOM_EVENT_KIND_DEVICE_ADDED value
         * @property {number} ROOM_EVENT_KIND_DEVICE_REMOVED=7 ROOM_EVENT_KIND_DEVICE_REMOVED value
         */
        v1.RoomEventKind = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "ROOM_EVENT_KIND_UNSPECIFIED"] = 0;
            values[valuesById[1] = "ROOM_EVENT_KIND_CREATED"] = 1;
            values[valuesById[2] = "ROOM_EVENT_KIND_MEMBER_ADDED"] = 2;
            values[valuesById[3] = "ROOM_EVENT_KIND_MEMBER_REMOVED"] = 3;
            values[valuesById[4] = "ROOM_EVENT_KIND_METADATA_CHANGED"] = 4;
            values[valuesById[5] = "ROOM_EVENT_KIND_IDENTITY_CHANGED"] = 5;
            values[valuesById[6] = "ROOM_EVENT_KIND_DEVICE_ADDED"] = 6;
            values[valuesById[7] = "ROOM_EVENT_KIND_DEVICE_REMOVED"] = 7;
            return values;
        })();

        v1.RoomEvent = (function() {

            /**
             * Properties of a RoomEvent.
             * @typedef {Object} chat.v1.RoomEvent.$Properties
             * @property {string|null} [roomId] RoomEvent roomId
             * @property {chat.v1.RoomEventKind|null} [kind] RoomEvent kind
             * @property {number|null} [memberVersion] RoomEvent memberVersion
             * @property {string|null} [userId] RoomEvent userId
             * @property {string|null} [actorId] RoomEvent actorId
             * @property {number|null} [metaVersion] RoomEvent metaVersion
             * @property {number|null} [atMs] RoomEvent atMs
             * @property {string|null} [deviceId] RoomEvent deviceId
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a RoomEvent.
             * @memberof chat.v1
             * @interface IRoomEvent
             * @augments chat.v1.RoomEvent.$Properties
             * @deprecated Use chat.v1.RoomEvent.$Properties instead.
             */

            /**
             * Shape of a RoomEvent.
             * @typedef {chat.v1.RoomEvent.$Properties} chat.v1.RoomEvent.$Shape
             */

            /**
             * Constructs a new RoomEvent.
             * @memberof chat.v1
             * @classdesc Represents a RoomEvent.
             * @constructor
             * @param {chat.v1.RoomEvent.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const RoomEvent = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * RoomEvent roomId.
             * @member {string} roomId
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.roomId = "";

            /**
             * RoomEvent kind.
             * @member {chat.v1.RoomEventKind} kind
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.kind = 0;

            /**
             * RoomEvent memberVersion.
             * @member {number} memberVersion
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.memberVersion = 0;

            /**
             * RoomEvent userId.
             * @member {string} userId
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.userId = "";

            /**
             * RoomEvent actorId.
             * @member {string} actorId
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.actorId = "";

            /**
             * RoomEvent metaVersion.
             * @member {number} metaVersion
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.metaVersion = 0;

            /**
             * RoomEvent atMs.
             * @member {number} atMs
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.atMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * RoomEvent deviceId.
             * @member {string} deviceId
             * @memberof chat.v1.RoomEvent
             * @instance
             */
            RoomEvent.prototype.deviceId = "";

            /**
             * Creates a new RoomEvent instance using the specified properties.
             * @function create
             * @memberof chat.v1.RoomEvent
             * @static
             * @param {chat.v1.RoomEvent.$Properties=} [properties] Properties to set
             * @returns {chat.v1.RoomEvent} RoomEvent instance
             * @type {{
             *   (properties: chat.v1.RoomEvent.$Shape): chat.v1.RoomEvent & chat.v1.RoomEvent.$Shape;
             *   (properties?: chat.v1.RoomEvent.$Properties): chat.v1.RoomEvent;
             * }}
             */
            RoomEvent.create = function(properties) {
                return new RoomEvent(properties);
            };

            /**
             * Encodes the specified RoomEvent message. Does not implicitly {@link chat.v1.RoomEvent.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.RoomEvent
             * @static
             * @param {chat.v1.RoomEvent.$Properties} message RoomEvent message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            RoomEvent.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.roomId != null && $Object.hasOwnProperty.call(message, "roomId") && message.roomId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.roomId);
                if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.kind);
                if (message.memberVersion != null && $Object.hasOwnProperty.call(message, "memberVersion") && message.memberVersion !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.memberVersion);
                if (message.userId != null && $Object.hasOwnProperty.call(message, "userId") && message.userId !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.userId);
                if (message.actorId != null && $Object.hasOwnProperty.call(message, "actorId") && message.actorId !== "")
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.actorId);
                if (message.metaVersion != null && $Object.hasOwnProperty.call(message, "metaVersion") && message.metaVersion !== 0)
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.metaVersion);
                if (message.atMs != null && $Object.hasOwnProperty.call(message, "atMs") && (typeof message.atMs === "object" ? message.atMs.low || message.atMs.high : message.atMs !== 0))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.atMs);
                if (message.deviceId != null && $Object.hasOwnProperty.call(message, "deviceId") && message.deviceId !== "")
                    writer.uint32(/* id 8, wireType 2 =*/66).string(message.deviceId);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a RoomEvent message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.RoomEvent
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.RoomEvent & chat.v1.RoomEvent.$Shape} RoomEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            RoomEvent.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.RoomEvent();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.roomId = value;
                            else
                                delete message.roomId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.kind = value;
                            else
                                delete message.kind;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.memberVersion = value;
                            else
                                delete message.memberVersion;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.userId = value;
                            else
                                delete message.userId;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.actorId = value;
                            else
                                delete message.actorId;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.metaVersion = value;
                            else
                                delete message.metaVersion;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.atMs = value;
                            else
                                delete message.atMs;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.deviceId = value;
                            else
                                delete message.deviceId;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for RoomEvent
             * @function getTypeUrl
             * @memberof chat.v1.RoomEvent
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            RoomEvent.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.RoomEvent";
            };

            return RoomEvent;
        })();

        /**
         * TypingState enum.
         * @name chat.v1.TypingState
         * @enum {number}
         * @property {number} TYPING_STATE_UNSPECIFIED=0 TYPING_STATE_UNSPECIFIED value
         * @property {number} TYPING_STATE_START=1 TYPING_STATE_START value
         * @property {number} TYPING_STATE_RENEW=2 TYPING_STATE_RENEW value
         * @property {number} TYPING_STATE_STOP=3 TYPING_STATE_STOP value
         */
        v1.TypingState = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "TYPING_STATE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "TYPING_STATE_START"] = 1;
            values[valuesById[2] = "TYPING_STATE_RENEW"] = 2;
            values[valuesById[3] = "TYPING_STATE_STOP"] = 3;
            return values;
        })();

        v1.Typing = (function() {

            /**
             * Properties of a Typing.
             * @typedef {Object} chat.v1.Typing.$Properties
             * @property {chat.v1.TypingState|null} [state] Typing state
             * @property {string|null} [userId] Typing userId
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Typing.
             * @memberof chat.v1
             * @interface ITyping
             * @augments chat.v1.Typing.$Properties
             * @deprecated Use chat.v1.Typing.$Properties instead.
             */

            /**
             * Shape of a Typing.
             * @typedef {chat.v1.Typing.$Properties} chat.v1.Typing.$Shape
             */

            /**
             * Constructs a new Typing.
             * @memberof chat.v1
             * @classdesc Represents a Typing.
             * @constructor
             * @param {chat.v1.Typing.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Typing = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Typing state.
             * @member {chat.v1.TypingState} state
             * @memberof chat.v1.Typing
             * @instance
             */
            Typing.prototype.state = 0;

            /**
             * Typing userId.
             * @member {string} userId
             * @memberof chat.v1.Typing
             * @instance
             */
            Typing.prototype.userId = "";

            /**
             * Creates a new Typing instance using the specified properties.
             * @function create
             * @memberof chat.v1.Typing
             * @static
             * @param {chat.v1.Typing.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Typing} Typing instance
             * @type {{
             *   (properties: chat.v1.Typing.$Shape): chat.v1.Typing & chat.v1.Typing.$Shape;
             *   (properties?: chat.v1.Typing.$Properties): chat.v1.Typing;
             * }}
             */
            Typing.create = function(properties) {
                return new Typing(properties);
            };

            /**
             * Encodes the specified Typing message. Does not implicitly {@link chat.v1.Typing.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Typing
             * @static
             * @param {chat.v1.Typing.$Properties} message Typing message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Typing.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.state != null && $Object.hasOwnProperty.call(message, "state") && message.state !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.state);
                if (message.userId != null && $Object.hasOwnProperty.call(message, "userId") && message.userId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.userId);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Typing message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Typing
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Typing & chat.v1.Typing.$Shape} Typing
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Typing.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Typing();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.state = value;
                            else
                                delete message.state;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.userId = value;
                            else
                                delete message.userId;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Typing
             * @function getTypeUrl
             * @memberof chat.v1.Typing
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Typing.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Typing";
            };

            return Typing;
        })();

        v1.Receipt = (function() {

            /**
             * Properties of a Receipt.
             * @typedef {Object} chat.v1.Receipt.$Properties
             * @property {number|null} [readSeq] Receipt readSeq
             * @property {string|null} [userId] Receipt userId
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Receipt.
             * @memberof chat.v1
             * @interface IReceipt
             * @augments chat.v1.Receipt.$Properties
             * @deprecated Use chat.v1.Receipt.$Properties instead.
             */

            /**
             * Shape of a Receipt.
             * @typedef {chat.v1.Receipt.$Properties} chat.v1.Receipt.$Shape
             */

            /**
             * Constructs a new Receipt.
             * @memberof chat.v1
             * @classdesc Represents a Receipt.
             * @constructor
             * @param {chat.v1.Receipt.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Receipt = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Receipt readSeq.
             * @member {number} readSeq
             * @memberof chat.v1.Receipt
             * @instance
             */
            Receipt.prototype.readSeq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Receipt userId.
             * @member {string} userId
             * @memberof chat.v1.Receipt
             * @instance
             */
            Receipt.prototype.userId = "";

            /**
             * Creates a new Receipt instance using the specified properties.
             * @function create
             * @memberof chat.v1.Receipt
             * @static
             * @param {chat.v1.Receipt.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Receipt} Receipt instance
             * @type {{
             *   (properties: chat.v1.Receipt.$Shape): chat.v1.Receipt & chat.v1.Receipt.$Shape;
             *   (properties?: chat.v1.Receipt.$Properties): chat.v1.Receipt;
             * }}
             */
            Receipt.create = function(properties) {
                return new Receipt(properties);
            };

            /**
             * Encodes the specified Receipt message. Does not implicitly {@link chat.v1.Receipt.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Receipt
             * @static
             * @param {chat.v1.Receipt.$Properties} message Receipt message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Receipt.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.readSeq != null && $Object.hasOwnProperty.call(message, "readSeq") && (typeof message.readSeq === "object" ? message.readSeq.low || message.readSeq.high : message.readSeq !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.readSeq);
                if (message.userId != null && $Object.hasOwnProperty.call(message, "userId") && message.userId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.userId);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Receipt message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Receipt
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Receipt & chat.v1.Receipt.$Shape} Receipt
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Receipt.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Receipt();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.readSeq = value;
                            else
                                delete message.readSeq;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.userId = value;
                            else
                                delete message.userId;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Receipt
             * @function getTypeUrl
             * @memberof chat.v1.Receipt
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Receipt.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Receipt";
            };

            return Receipt;
        })();

        v1.DeviceStatus = (function() {

            /**
             * Properties of a DeviceStatus.
             * @typedef {Object} chat.v1.DeviceStatus.$Properties
             * @property {boolean|null} [online] DeviceStatus online
             * @property {number|null} [heartbeatMs] DeviceStatus heartbeatMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a DeviceStatus.
             * @memberof chat.v1
             * @interface IDeviceStatus
             * @augments chat.v1.DeviceStatus.$Properties
             * @deprecated Use chat.v1.DeviceStatus.$Properties instead.
             */

            /**
             * Shape of a DeviceStatus.
             * @typedef {chat.v1.DeviceStatus.$Properties} chat.v1.DeviceStatus.$Shape
             */

            /**
             * Constructs a new DeviceStatus.
             * @memberof chat.v1
             * @classdesc Represents a DeviceStatus.
             * @constructor
             * @param {chat.v1.DeviceStatus.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const DeviceStatus = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * DeviceStatus online.
             * @member {boolean} online
             * @memberof chat.v1.DeviceStatus
             * @instance
             */
            DeviceStatus.prototype.online = false;

            /**
             * DeviceStatus heartbeatMs.
             * @member {number} heartbeatMs
             * @memberof chat.v1.DeviceStatus
             * @instance
             */
            DeviceStatus.prototype.heartbeatMs = 0;

            /**
             * Creates a new DeviceStatus instance using the specified properties.
             * @function create
             * @memberof chat.v1.DeviceStatus
             * @static
             * @param {chat.v1.DeviceStatus.$Properties=} [properties] Properties to set
             * @returns {chat.v1.DeviceStatus} DeviceStatus instance
             * @type {{
             *   (properties: chat.v1.DeviceStatus.$Shape): chat.v1.DeviceStatus & chat.v1.DeviceStatus.$Shape;
             *   (properties?: chat.v1.DeviceStatus.$Properties): chat.v1.DeviceStatus;
             * }}
             */
            DeviceStatus.create = function(properties) {
                return new DeviceStatus(properties);
            };

            /**
             * Encodes the specified DeviceStatus message. Does not implicitly {@link chat.v1.DeviceStatus.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.DeviceStatus
             * @static
             * @param {chat.v1.DeviceStatus.$Properties} message DeviceStatus message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            DeviceStatus.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.online != null && $Object.hasOwnProperty.call(message, "online") && message.online !== false)
                    writer.uint32(/* id 1, wireType 0 =*/8).bool(message.online);
                if (message.heartbeatMs != null && $Object.hasOwnProperty.call(message, "heartbeatMs") && message.heartbeatMs !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.heartbeatMs);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a DeviceStatus message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.DeviceStatus
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.DeviceStatus & chat.v1.DeviceStatus.$Shape} DeviceStatus
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            DeviceStatus.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.DeviceStatus();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.online = value;
                            else
                                delete message.online;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.heartbeatMs = value;
                            else
                                delete message.heartbeatMs;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for DeviceStatus
             * @function getTypeUrl
             * @memberof chat.v1.DeviceStatus
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            DeviceStatus.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.DeviceStatus";
            };

            return DeviceStatus;
        })();

        v1.Presence = (function() {

            /**
             * Properties of a Presence.
             * @typedef {Object} chat.v1.Presence.$Properties
             * @property {boolean|null} [online] Presence online
             * @property {number|null} [lastSeenMs] Presence lastSeenMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Presence.
             * @memberof chat.v1
             * @interface IPresence
             * @augments chat.v1.Presence.$Properties
             * @deprecated Use chat.v1.Presence.$Properties instead.
             */

            /**
             * Shape of a Presence.
             * @typedef {chat.v1.Presence.$Properties} chat.v1.Presence.$Shape
             */

            /**
             * Constructs a new Presence.
             * @memberof chat.v1
             * @classdesc Represents a Presence.
             * @constructor
             * @param {chat.v1.Presence.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Presence = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Presence online.
             * @member {boolean} online
             * @memberof chat.v1.Presence
             * @instance
             */
            Presence.prototype.online = false;

            /**
             * Presence lastSeenMs.
             * @member {number} lastSeenMs
             * @memberof chat.v1.Presence
             * @instance
             */
            Presence.prototype.lastSeenMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new Presence instance using the specified properties.
             * @function create
             * @memberof chat.v1.Presence
             * @static
             * @param {chat.v1.Presence.$Properties=} [properties] Properties to set
             * @returns {chat.v1.Presence} Presence instance
             * @type {{
             *   (properties: chat.v1.Presence.$Shape): chat.v1.Presence & chat.v1.Presence.$Shape;
             *   (properties?: chat.v1.Presence.$Properties): chat.v1.Presence;
             * }}
             */
            Presence.create = function(properties) {
                return new Presence(properties);
            };

            /**
             * Encodes the specified Presence message. Does not implicitly {@link chat.v1.Presence.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.Presence
             * @static
             * @param {chat.v1.Presence.$Properties} message Presence message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Presence.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.online != null && $Object.hasOwnProperty.call(message, "online") && message.online !== false)
                    writer.uint32(/* id 1, wireType 0 =*/8).bool(message.online);
                if (message.lastSeenMs != null && $Object.hasOwnProperty.call(message, "lastSeenMs") && (typeof message.lastSeenMs === "object" ? message.lastSeenMs.low || message.lastSeenMs.high : message.lastSeenMs !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.lastSeenMs);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Presence message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.Presence
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.Presence & chat.v1.Presence.$Shape} Presence
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Presence.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.Presence();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.online = value;
                            else
                                delete message.online;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.lastSeenMs = value;
                            else
                                delete message.lastSeenMs;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Presence
             * @function getTypeUrl
             * @memberof chat.v1.Presence
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Presence.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.Presence";
            };

            return Presence;
        })();

        v1.E2eeEnvelope = (function() {

            /**
             * Properties of a E2eeEnvelope.
             * @typedef {Object} chat.v1.E2eeEnvelope.$Properties
             * @property {number|null} [senderDeviceId] E2eeEnvelope senderDeviceId
             * @property {Array.<chat.v1.E2eePairwise.$Properties>|null} [pairwise] E2eeEnvelope pairwise
             * @property {Uint8Array|null} [senderKeyMessage] E2eeEnvelope senderKeyMessage
             * @property {chat.v1.E2eeEnvelopeKind|null} [kind] E2eeEnvelope kind
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a E2eeEnvelope.
             * @memberof chat.v1
             * @interface IE2eeEnvelope
             * @augments chat.v1.E2eeEnvelope.$Properties
             * @deprecated Use chat.v1.E2eeEnvelope.$Properties instead.
             */

            /**
             * Shape of a E2eeEnvelope.
             * @typedef {chat.v1.E2eeEnvelope.$Properties} chat.v1.E2eeEnvelope.$Shape
             */

            /**
             * Constructs a new E2eeEnvelope.
             * @memberof chat.v1
             * @classdesc Represents a E2eeEnvelope.
             * @constructor
             * @param {chat.v1.E2eeEnvelope.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const E2eeEnvelope = function (properties) {
                this.pairwise = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * E2eeEnvelope senderDeviceId.
             * @member {number} senderDeviceId
             * @memberof chat.v1.E2eeEnvelope
             * @instance
             */
            E2eeEnvelope.prototype.senderDeviceId = 0;

            /**
             * E2eeEnvelope pairwise.
             * @member {Array.<chat.v1.E2eePairwise.$Properties>} pairwise
             * @memberof chat.v1.E2eeEnvelope
             * @instance
             */
            E2eeEnvelope.prototype.pairwise = $util.emptyArray;

            /**
             * E2eeEnvelope senderKeyMessage.
             * @member {Uint8Array} senderKeyMessage
             * @memberof chat.v1.E2eeEnvelope
             * @instance
             */
            E2eeEnvelope.prototype.senderKeyMessage = $util.newBuffer([]);

            /**
             * E2eeEnvelope kind.
             * @member {chat.v1.E2eeEnvelopeKind} kind
             * @memberof chat.v1.E2eeEnvelope
             * @instance
             */
            E2eeEnvelope.prototype.kind = 0;

            /**
             * Creates a new E2eeEnvelope instance using the specified properties.
             * @function create
             * @memberof chat.v1.E2eeEnvelope
             * @static
             * @param {chat.v1.E2eeEnvelope.$Properties=} [properties] Properties to set
             * @returns {chat.v1.E2eeEnvelope} E2eeEnvelope instance
             * @type {{
             *   (properties: chat.v1.E2eeEnvelope.$Shape): chat.v1.E2eeEnvelope & chat.v1.E2eeEnvelope.$Shape;
             *   (properties?: chat.v1.E2eeEnvelope.$Properties): chat.v1.E2eeEnvelope;
             * }}
             */
            E2eeEnvelope.create = function(properties) {
                return new E2eeEnvelope(properties);
            };

            /**
             * Encodes the specified E2eeEnvelope message. Does not implicitly {@link chat.v1.E2eeEnvelope.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.E2eeEnvelope
             * @static
             * @param {chat.v1.E2eeEnvelope.$Properties} message E2eeEnvelope message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            E2eeEnvelope.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.senderDeviceId != null && $Object.hasOwnProperty.call(message, "senderDeviceId") && message.senderDeviceId !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.senderDeviceId);
                if (message.pairwise != null && message.pairwise.length)
                    for (let i = 0; i < message.pairwise.length; ++i)
                        $root.chat.v1.E2eePairwise.encode(message.pairwise[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.senderKeyMessage != null && $Object.hasOwnProperty.call(message, "senderKeyMessage") && message.senderKeyMessage.length)
                    writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.senderKeyMessage);
                if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                    writer.uint32(/* id 4, wireType 0 =*/32).int32(message.kind);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a E2eeEnvelope message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.E2eeEnvelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.E2eeEnvelope & chat.v1.E2eeEnvelope.$Shape} E2eeEnvelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            E2eeEnvelope.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.E2eeEnvelope();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.senderDeviceId = value;
                            else
                                delete message.senderDeviceId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.pairwise && message.pairwise.length))
                                message.pairwise = [];
                            message.pairwise.push($root.chat.v1.E2eePairwise.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.senderKeyMessage = value;
                            else
                                delete message.senderKeyMessage;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.kind = value;
                            else
                                delete message.kind;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for E2eeEnvelope
             * @function getTypeUrl
             * @memberof chat.v1.E2eeEnvelope
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            E2eeEnvelope.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.E2eeEnvelope";
            };

            return E2eeEnvelope;
        })();

        /**
         * E2eeEnvelopeKind enum.
         * @name chat.v1.E2eeEnvelopeKind
         * @enum {number}
         * @property {number} E2EE_ENVELOPE_KIND_UNSPECIFIED=0 E2EE_ENVELOPE_KIND_UNSPECIFIED value
         * @property {number} E2EE_ENVELOPE_KIND_SENDER_KEY=1 E2EE_ENVELOPE_KIND_SENDER_KEY value
         * @property {number} E2EE_ENVELOPE_KIND_PAIRWISE=2 E2EE_ENVELOPE_KIND_PAIRWISE value
         * @property {number} E2EE_ENVELOPE_KIND_DISTRIBUTION=3 E2EE_ENVELOPE_KIND_DISTRIBUTION value
         */
        v1.E2eeEnvelopeKind = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "E2EE_ENVELOPE_KIND_UNSPECIFIED"] = 0;
            values[valuesById[1] = "E2EE_ENVELOPE_KIND_SENDER_KEY"] = 1;
            values[valuesById[2] = "E2EE_ENVELOPE_KIND_PAIRWISE"] = 2;
            values[valuesById[3] = "E2EE_ENVELOPE_KIND_DISTRIBUTION"] = 3;
            return values;
        })();

        /**
         * E2eeCipherType enum.
         * @name chat.v1.E2eeCipherType
         * @enum {number}
         * @property {number} E2EE_CIPHER_TYPE_UNSPECIFIED=0 E2EE_CIPHER_TYPE_UNSPECIFIED value
         * @property {number} E2EE_CIPHER_TYPE_PREKEY=1 E2EE_CIPHER_TYPE_PREKEY value
         * @property {number} E2EE_CIPHER_TYPE_WHISPER=2 E2EE_CIPHER_TYPE_WHISPER value
         */
        v1.E2eeCipherType = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "E2EE_CIPHER_TYPE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "E2EE_CIPHER_TYPE_PREKEY"] = 1;
            values[valuesById[2] = "E2EE_CIPHER_TYPE_WHISPER"] = 2;
            return values;
        })();

        v1.E2eePairwise = (function() {

            /**
             * Properties of a E2eePairwise.
             * @typedef {Object} chat.v1.E2eePairwise.$Properties
             * @property {string|null} [userId] E2eePairwise userId
             * @property {number|null} [deviceId] E2eePairwise deviceId
             * @property {chat.v1.E2eeCipherType|null} [type] E2eePairwise type
             * @property {Uint8Array|null} [ciphertext] E2eePairwise ciphertext
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a E2eePairwise.
             * @memberof chat.v1
             * @interface IE2eePairwise
             * @augments chat.v1.E2eePairwise.$Properties
             * @deprecated Use chat.v1.E2eePairwise.$Properties instead.
             */

            /**
             * Shape of a E2eePairwise.
             * @typedef {chat.v1.E2eePairwise.$Properties} chat.v1.E2eePairwise.$Shape
             */

            /**
             * Constructs a new E2eePairwise.
             * @memberof chat.v1
             * @classdesc Represents a E2eePairwise.
             * @constructor
             * @param {chat.v1.E2eePairwise.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const E2eePairwise = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * E2eePairwise userId.
             * @member {string} userId
             * @memberof chat.v1.E2eePairwise
             * @instance
             */
            E2eePairwise.prototype.userId = "";

            /**
             * E2eePairwise deviceId.
             * @member {number} deviceId
             * @memberof chat.v1.E2eePairwise
             * @instance
             */
            E2eePairwise.prototype.deviceId = 0;

            /**
             * E2eePairwise type.
             * @member {chat.v1.E2eeCipherType} type
             * @memberof chat.v1.E2eePairwise
             * @instance
             */
            E2eePairwise.prototype.type = 0;

            /**
             * E2eePairwise ciphertext.
             * @member {Uint8Array} ciphertext
             * @memberof chat.v1.E2eePairwise
             * @instance
             */
            E2eePairwise.prototype.ciphertext = $util.newBuffer([]);

            /**
             * Creates a new E2eePairwise instance using the specified properties.
             * @function create
             * @memberof chat.v1.E2eePairwise
             * @static
             * @param {chat.v1.E2eePairwise.$Properties=} [properties] Properties to set
             * @returns {chat.v1.E2eePairwise} E2eePairwise instance
             * @type {{
             *   (properties: chat.v1.E2eePairwise.$Shape): chat.v1.E2eePairwise & chat.v1.E2eePairwise.$Shape;
             *   (properties?: chat.v1.E2eePairwise.$Properties): chat.v1.E2eePairwise;
             * }}
             */
            E2eePairwise.create = function(properties) {
                return new E2eePairwise(properties);
            };

            /**
             * Encodes the specified E2eePairwise message. Does not implicitly {@link chat.v1.E2eePairwise.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.E2eePairwise
             * @static
             * @param {chat.v1.E2eePairwise.$Properties} message E2eePairwise message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            E2eePairwise.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.userId != null && $Object.hasOwnProperty.call(message, "userId") && message.userId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.userId);
                if (message.deviceId != null && $Object.hasOwnProperty.call(message, "deviceId") && message.deviceId !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.deviceId);
                if (message.type != null && $Object.hasOwnProperty.call(message, "type") && message.type !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).int32(message.type);
                if (message.ciphertext != null && $Object.hasOwnProperty.call(message, "ciphertext") && message.ciphertext.length)
                    writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.ciphertext);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a E2eePairwise message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.E2eePairwise
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.E2eePairwise & chat.v1.E2eePairwise.$Shape} E2eePairwise
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            E2eePairwise.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.E2eePairwise();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.userId = value;
                            else
                                delete message.userId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.deviceId = value;
                            else
                                delete message.deviceId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.type = value;
                            else
                                delete message.type;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.ciphertext = value;
                            else
                                delete message.ciphertext;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for E2eePairwise
             * @function getTypeUrl
             * @memberof chat.v1.E2eePairwise
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            E2eePairwise.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.E2eePairwise";
            };

            return E2eePairwise;
        })();

        v1.E2eePairwisePayload = (function() {

            /**
             * Properties of a E2eePairwisePayload.
             * @typedef {Object} chat.v1.E2eePairwisePayload.$Properties
             * @property {Uint8Array|null} [senderKeyDistribution] E2eePairwisePayload senderKeyDistribution
             * @property {Uint8Array|null} [content] E2eePairwisePayload content
             * @property {"senderKeyDistribution"|"content"} [payload] E2eePairwisePayload payload
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a E2eePairwisePayload.
             * @memberof chat.v1
             * @interface IE2eePairwisePayload
             * @augments chat.v1.E2eePairwisePayload.$Properties
             * @deprecated Use chat.v1.E2eePairwisePayload.$Properties instead.
             */

            /**
             * Narrowed shape of a E2eePairwisePayload.
             * @typedef {{
             *   senderKeyDistribution?: Uint8Array|null;
             *   content?: Uint8Array|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ payload?: undefined; senderKeyDistribution?: null; content?: null }|{ payload?: "senderKeyDistribution"; senderKeyDistribution: Uint8Array; content?: null }|{ payload?: "content"; senderKeyDistribution?: null; content: Uint8Array })
             * )} chat.v1.E2eePairwisePayload.$Shape
             */

            /**
             * Constructs a new E2eePairwisePayload.
             * @memberof chat.v1
             * @classdesc Represents a E2eePairwisePayload.
             * @constructor
             * @param {chat.v1.E2eePairwisePayload.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const E2eePairwisePayload = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * E2eePairwisePayload senderKeyDistribution.
             * @member {Uint8Array|null|undefined} senderKeyDistribution
             * @memberof chat.v1.E2eePairwisePayload
             * @instance
             */
            E2eePairwisePayload.prototype.senderKeyDistribution = null;

            /**
             * E2eePairwisePayload content.
             * @member {Uint8Array|null|undefined} content
             * @memberof chat.v1.E2eePairwisePayload
             * @instance
             */
            E2eePairwisePayload.prototype.content = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * E2eePairwisePayload payload.
             * @member {"senderKeyDistribution"|"content"|undefined} payload
             * @memberof chat.v1.E2eePairwisePayload
             * @instance
             */
            $Object.defineProperty(E2eePairwisePayload.prototype, "payload", {
                get: $util.oneOfGetter($oneOfFields = ["senderKeyDistribution", "content"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new E2eePairwisePayload instance using the specified properties.
             * @function create
             * @memberof chat.v1.E2eePairwisePayload
             * @static
             * @param {chat.v1.E2eePairwisePayload.$Properties=} [properties] Properties to set
             * @returns {chat.v1.E2eePairwisePayload} E2eePairwisePayload instance
             * @type {{
             *   (properties: chat.v1.E2eePairwisePayload.$Shape): chat.v1.E2eePairwisePayload & chat.v1.E2eePairwisePayload.$Shape;
             *   (properties?: chat.v1.E2eePairwisePayload.$Properties): chat.v1.E2eePairwisePayload;
             * }}
             */
            E2eePairwisePayload.create = function(properties) {
                return new E2eePairwisePayload(properties);
            };

            /**
             * Encodes the specified E2eePairwisePayload message. Does not implicitly {@link chat.v1.E2eePairwisePayload.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.E2eePairwisePayload
             * @static
             * @param {chat.v1.E2eePairwisePayload.$Properties} message E2eePairwisePayload message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            E2eePairwisePayload.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.senderKeyDistribution != null && $Object.hasOwnProperty.call(message, "senderKeyDistribution"))
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.senderKeyDistribution);
                if (message.content != null && $Object.hasOwnProperty.call(message, "content"))
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.content);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a E2eePairwisePayload message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.E2eePairwisePayload
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.E2eePairwisePayload & chat.v1.E2eePairwisePayload.$Shape} E2eePairwisePayload
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            E2eePairwisePayload.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.E2eePairwisePayload();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.senderKeyDistribution = reader.bytes();
                            message.payload = "senderKeyDistribution";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.content = reader.bytes();
                            message.payload = "content";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for E2eePairwisePayload
             * @function getTypeUrl
             * @memberof chat.v1.E2eePairwisePayload
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            E2eePairwisePayload.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.E2eePairwisePayload";
            };

            return E2eePairwisePayload;
        })();

        v1.E2eeContent = (function() {

            /**
             * Properties of a E2eeContent.
             * @typedef {Object} chat.v1.E2eeContent.$Properties
             * @property {string|null} [roomId] E2eeContent roomId
             * @property {Uint8Array|null} [body] E2eeContent body
             * @property {string|null} [contentType] E2eeContent contentType
             * @property {Uint8Array|null} [padding] E2eeContent padding
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a E2eeContent.
             * @memberof chat.v1
             * @interface IE2eeContent
             * @augments chat.v1.E2eeContent.$Properties
             * @deprecated Use chat.v1.E2eeContent.$Properties instead.
             */

            /**
             * Shape of a E2eeContent.
             * @typedef {chat.v1.E2eeContent.$Properties} chat.v1.E2eeContent.$Shape
             */

            /**
             * Constructs a new E2eeContent.
             * @memberof chat.v1
             * @classdesc Represents a E2eeContent.
             * @constructor
             * @param {chat.v1.E2eeContent.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const E2eeContent = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * E2eeContent roomId.
             * @member {string} roomId
             * @memberof chat.v1.E2eeContent
             * @instance
             */
            E2eeContent.prototype.roomId = "";

            /**
             * E2eeContent body.
             * @member {Uint8Array} body
             * @memberof chat.v1.E2eeContent
             * @instance
             */
            E2eeContent.prototype.body = $util.newBuffer([]);

            /**
             * E2eeContent contentType.
             * @member {string} contentType
             * @memberof chat.v1.E2eeContent
             * @instance
             */
            E2eeContent.prototype.contentType = "";

            /**
             * E2eeContent padding.
             * @member {Uint8Array} padding
             * @memberof chat.v1.E2eeContent
             * @instance
             */
            E2eeContent.prototype.padding = $util.newBuffer([]);

            /**
             * Creates a new E2eeContent instance using the specified properties.
             * @function create
             * @memberof chat.v1.E2eeContent
             * @static
             * @param {chat.v1.E2eeContent.$Properties=} [properties] Properties to set
             * @returns {chat.v1.E2eeContent} E2eeContent instance
             * @type {{
             *   (properties: chat.v1.E2eeContent.$Shape): chat.v1.E2eeContent & chat.v1.E2eeContent.$Shape;
             *   (properties?: chat.v1.E2eeContent.$Properties): chat.v1.E2eeContent;
             * }}
             */
            E2eeContent.create = function(properties) {
                return new E2eeContent(properties);
            };

            /**
             * Encodes the specified E2eeContent message. Does not implicitly {@link chat.v1.E2eeContent.verify|verify} messages.
             * @function encode
             * @memberof chat.v1.E2eeContent
             * @static
             * @param {chat.v1.E2eeContent.$Properties} message E2eeContent message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            E2eeContent.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.roomId != null && $Object.hasOwnProperty.call(message, "roomId") && message.roomId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.roomId);
                if (message.body != null && $Object.hasOwnProperty.call(message, "body") && message.body.length)
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.body);
                if (message.contentType != null && $Object.hasOwnProperty.call(message, "contentType") && message.contentType !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.contentType);
                if (message.padding != null && $Object.hasOwnProperty.call(message, "padding") && message.padding.length)
                    writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.padding);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a E2eeContent message from the specified reader or buffer.
             * @function decode
             * @memberof chat.v1.E2eeContent
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {chat.v1.E2eeContent & chat.v1.E2eeContent.$Shape} E2eeContent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            E2eeContent.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.chat.v1.E2eeContent();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.roomId = value;
                            else
                                delete message.roomId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.body = value;
                            else
                                delete message.body;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.contentType = value;
                            else
                                delete message.contentType;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.padding = value;
                            else
                                delete message.padding;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for E2eeContent
             * @function getTypeUrl
             * @memberof chat.v1.E2eeContent
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            E2eeContent.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/chat.v1.E2eeContent";
            };

            return E2eeContent;
        })();

        return v1;
    })();

    return chat;
})();

export {
  $root as default
};
