import * as $protobuf from "protobufjs/minimal.js";
import Long = require("long");

/** Namespace chat. */
export namespace chat {

    /** Namespace v1. */
    namespace v1 {

        /**
         * Properties of a Send.
         * @deprecated Use chat.v1.Send.$Properties instead.
         */
        interface ISend extends chat.v1.Send.$Properties {
        }

        /** Represents a Send. */
        class Send {

            /**
             * Constructs a new Send.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Send.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Send roomId. */
            roomId: string;

            /** Send clientMsgId. */
            clientMsgId: string;

            /** Send roomVersion. */
            roomVersion: number;

            /** Send body. */
            body: Uint8Array;

            /** Send contentType. */
            contentType: string;

            /**
             * Creates a new Send instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Send instance
             */
            static create(properties: chat.v1.Send.$Shape): chat.v1.Send & chat.v1.Send.$Shape;
            static create(properties?: chat.v1.Send.$Properties): chat.v1.Send;

            /**
             * Encodes the specified Send message. Does not implicitly {@link chat.v1.Send.verify|verify} messages.
             * @param message Send message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Send.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Send message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Send & chat.v1.Send.$Shape} Send
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Send & chat.v1.Send.$Shape;

            /**
             * Gets the type url for Send
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Send {

            /** Properties of a Send. */
            interface $Properties {

                /** Send roomId */
                roomId?: (string|null);

                /** Send clientMsgId */
                clientMsgId?: (string|null);

                /** Send roomVersion */
                roomVersion?: (number|null);

                /** Send body */
                body?: (Uint8Array|null);

                /** Send contentType */
                contentType?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Send. */
            type $Shape = chat.v1.Send.$Properties;
        }

        /**
         * Properties of a Message.
         * @deprecated Use chat.v1.Message.$Properties instead.
         */
        interface IMessage extends chat.v1.Message.$Properties {
        }

        /** Represents a Message. */
        class Message {

            /**
             * Constructs a new Message.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Message.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Message roomId. */
            roomId: string;

            /** Message seq. */
            seq: number;

            /** Message epoch. */
            epoch: number;

            /** Message senderId. */
            senderId: string;

            /** Message senderDevice. */
            senderDevice: string;

            /** Message clientMsgId. */
            clientMsgId: string;

            /** Message sentAtMs. */
            sentAtMs: number;

            /** Message body. */
            body: Uint8Array;

            /** Message contentType. */
            contentType: string;

            /**
             * Creates a new Message instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Message instance
             */
            static create(properties: chat.v1.Message.$Shape): chat.v1.Message & chat.v1.Message.$Shape;
            static create(properties?: chat.v1.Message.$Properties): chat.v1.Message;

            /**
             * Encodes the specified Message message. Does not implicitly {@link chat.v1.Message.verify|verify} messages.
             * @param message Message message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Message.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Message message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Message & chat.v1.Message.$Shape} Message
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Message & chat.v1.Message.$Shape;

            /**
             * Gets the type url for Message
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Message {

            /** Properties of a Message. */
            interface $Properties {

                /** Message roomId */
                roomId?: (string|null);

                /** Message seq */
                seq?: (number|null);

                /** Message epoch */
                epoch?: (number|null);

                /** Message senderId */
                senderId?: (string|null);

                /** Message senderDevice */
                senderDevice?: (string|null);

                /** Message clientMsgId */
                clientMsgId?: (string|null);

                /** Message sentAtMs */
                sentAtMs?: (number|null);

                /** Message body */
                body?: (Uint8Array|null);

                /** Message contentType */
                contentType?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Message. */
            type $Shape = chat.v1.Message.$Properties;
        }

        /**
         * Properties of an InboxItem.
         * @deprecated Use chat.v1.InboxItem.$Properties instead.
         */
        interface IInboxItem extends chat.v1.InboxItem.$Properties {
        }

        /** Represents an InboxItem. */
        class InboxItem {

            /**
             * Constructs a new InboxItem.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.InboxItem.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** InboxItem ack. */
            ack?: (chat.v1.Ack.$Properties|null);

            /** InboxItem nack. */
            nack?: (chat.v1.Nack.$Properties|null);

            /** InboxItem event. */
            event?: (chat.v1.RoomEvent.$Properties|null);

            /** InboxItem keysLow. */
            keysLow?: (chat.v1.KeysLow.$Properties|null);

            /** InboxItem item. */
            item?: ("ack"|"nack"|"event"|"keysLow");

            /**
             * Creates a new InboxItem instance using the specified properties.
             * @param [properties] Properties to set
             * @returns InboxItem instance
             */
            static create(properties: chat.v1.InboxItem.$Shape): chat.v1.InboxItem & chat.v1.InboxItem.$Shape;
            static create(properties?: chat.v1.InboxItem.$Properties): chat.v1.InboxItem;

            /**
             * Encodes the specified InboxItem message. Does not implicitly {@link chat.v1.InboxItem.verify|verify} messages.
             * @param message InboxItem message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.InboxItem.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an InboxItem message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.InboxItem & chat.v1.InboxItem.$Shape} InboxItem
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.InboxItem & chat.v1.InboxItem.$Shape;

            /**
             * Gets the type url for InboxItem
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace InboxItem {

            /** Properties of an InboxItem. */
            interface $Properties {

                /** InboxItem ack */
                ack?: (chat.v1.Ack.$Properties|null);

                /** InboxItem nack */
                nack?: (chat.v1.Nack.$Properties|null);

                /** InboxItem event */
                event?: (chat.v1.RoomEvent.$Properties|null);

                /** InboxItem keysLow */
                keysLow?: (chat.v1.KeysLow.$Properties|null);

                /** InboxItem item */
                item?: ("ack"|"nack"|"event"|"keysLow");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of an InboxItem. */
            type $Shape = {
              ack?: chat.v1.Ack.$Shape|null;
              nack?: chat.v1.Nack.$Shape|null;
              event?: chat.v1.RoomEvent.$Shape|null;
              keysLow?: chat.v1.KeysLow.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ item?: undefined; ack?: null; nack?: null; event?: null; keysLow?: null }|{ item?: "ack"; ack: chat.v1.Ack.$Shape; nack?: null; event?: null; keysLow?: null }|{ item?: "nack"; ack?: null; nack: chat.v1.Nack.$Shape; event?: null; keysLow?: null }|{ item?: "event"; ack?: null; nack?: null; event: chat.v1.RoomEvent.$Shape; keysLow?: null }|{ item?: "keysLow"; ack?: null; nack?: null; event?: null; keysLow: chat.v1.KeysLow.$Shape })
            );
        }

        /**
         * Properties of a KeysLow.
         * @deprecated Use chat.v1.KeysLow.$Properties instead.
         */
        interface IKeysLow extends chat.v1.KeysLow.$Properties {
        }

        /** Represents a KeysLow. */
        class KeysLow {

            /**
             * Constructs a new KeysLow.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.KeysLow.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** KeysLow deviceId. */
            deviceId: string;

            /** KeysLow remaining. */
            remaining: number;

            /** KeysLow remainingKyber. */
            remainingKyber: number;

            /**
             * Creates a new KeysLow instance using the specified properties.
             * @param [properties] Properties to set
             * @returns KeysLow instance
             */
            static create(properties: chat.v1.KeysLow.$Shape): chat.v1.KeysLow & chat.v1.KeysLow.$Shape;
            static create(properties?: chat.v1.KeysLow.$Properties): chat.v1.KeysLow;

            /**
             * Encodes the specified KeysLow message. Does not implicitly {@link chat.v1.KeysLow.verify|verify} messages.
             * @param message KeysLow message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.KeysLow.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a KeysLow message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.KeysLow & chat.v1.KeysLow.$Shape} KeysLow
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.KeysLow & chat.v1.KeysLow.$Shape;

            /**
             * Gets the type url for KeysLow
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace KeysLow {

            /** Properties of a KeysLow. */
            interface $Properties {

                /** KeysLow deviceId */
                deviceId?: (string|null);

                /** KeysLow remaining */
                remaining?: (number|null);

                /** KeysLow remainingKyber */
                remainingKyber?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a KeysLow. */
            type $Shape = chat.v1.KeysLow.$Properties;
        }

        /**
         * Properties of an Ack.
         * @deprecated Use chat.v1.Ack.$Properties instead.
         */
        interface IAck extends chat.v1.Ack.$Properties {
        }

        /** Represents an Ack. */
        class Ack {

            /**
             * Constructs a new Ack.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Ack.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Ack roomId. */
            roomId: string;

            /** Ack clientMsgId. */
            clientMsgId: string;

            /** Ack seq. */
            seq: number;

            /** Ack duplicate. */
            duplicate: boolean;

            /**
             * Creates a new Ack instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Ack instance
             */
            static create(properties: chat.v1.Ack.$Shape): chat.v1.Ack & chat.v1.Ack.$Shape;
            static create(properties?: chat.v1.Ack.$Properties): chat.v1.Ack;

            /**
             * Encodes the specified Ack message. Does not implicitly {@link chat.v1.Ack.verify|verify} messages.
             * @param message Ack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Ack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Ack & chat.v1.Ack.$Shape} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Ack & chat.v1.Ack.$Shape;

            /**
             * Gets the type url for Ack
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Ack {

            /** Properties of an Ack. */
            interface $Properties {

                /** Ack roomId */
                roomId?: (string|null);

                /** Ack clientMsgId */
                clientMsgId?: (string|null);

                /** Ack seq */
                seq?: (number|null);

                /** Ack duplicate */
                duplicate?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Ack. */
            type $Shape = chat.v1.Ack.$Properties;
        }

        /** NackReason enum. */
        enum NackReason {

            /** NACK_REASON_UNSPECIFIED value */
            NACK_REASON_UNSPECIFIED = 0,

            /** NACK_REASON_MALFORMED value */
            NACK_REASON_MALFORMED = 1,

            /** NACK_REASON_ROOM_NOT_FOUND value */
            NACK_REASON_ROOM_NOT_FOUND = 2,

            /** NACK_REASON_NOT_MEMBER value */
            NACK_REASON_NOT_MEMBER = 3,

            /** NACK_REASON_STALE_ROOM_VERSION value */
            NACK_REASON_STALE_ROOM_VERSION = 4,

            /** NACK_REASON_TOO_LARGE value */
            NACK_REASON_TOO_LARGE = 5,

            /** NACK_REASON_RATE_LIMITED value */
            NACK_REASON_RATE_LIMITED = 6,

            /** NACK_REASON_UNAVAILABLE value */
            NACK_REASON_UNAVAILABLE = 7
        }

        /**
         * Properties of a Nack.
         * @deprecated Use chat.v1.Nack.$Properties instead.
         */
        interface INack extends chat.v1.Nack.$Properties {
        }

        /** Represents a Nack. */
        class Nack {

            /**
             * Constructs a new Nack.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Nack.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Nack roomId. */
            roomId: string;

            /** Nack clientMsgId. */
            clientMsgId: string;

            /** Nack reason. */
            reason: chat.v1.NackReason;

            /** Nack roomVersion. */
            roomVersion: number;

            /** Nack detail. */
            detail: string;

            /** Nack retryAfterMs. */
            retryAfterMs: number;

            /**
             * Creates a new Nack instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Nack instance
             */
            static create(properties: chat.v1.Nack.$Shape): chat.v1.Nack & chat.v1.Nack.$Shape;
            static create(properties?: chat.v1.Nack.$Properties): chat.v1.Nack;

            /**
             * Encodes the specified Nack message. Does not implicitly {@link chat.v1.Nack.verify|verify} messages.
             * @param message Nack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Nack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Nack message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Nack & chat.v1.Nack.$Shape} Nack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Nack & chat.v1.Nack.$Shape;

            /**
             * Gets the type url for Nack
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Nack {

            /** Properties of a Nack. */
            interface $Properties {

                /** Nack roomId */
                roomId?: (string|null);

                /** Nack clientMsgId */
                clientMsgId?: (string|null);

                /** Nack reason */
                reason?: (chat.v1.NackReason|null);

                /** Nack roomVersion */
                roomVersion?: (number|null);

                /** Nack detail */
                detail?: (string|null);

                /** Nack retryAfterMs */
                retryAfterMs?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Nack. */
            type $Shape = chat.v1.Nack.$Properties;
        }

        /** RoomEventKind enum. */
        enum RoomEventKind {

            /** ROOM_EVENT_KIND_UNSPECIFIED value */
            ROOM_EVENT_KIND_UNSPECIFIED = 0,

            /** ROOM_EVENT_KIND_CREATED value */
            ROOM_EVENT_KIND_CREATED = 1,

            /** ROOM_EVENT_KIND_MEMBER_ADDED value */
            ROOM_EVENT_KIND_MEMBER_ADDED = 2,

            /** ROOM_EVENT_KIND_MEMBER_REMOVED value */
            ROOM_EVENT_KIND_MEMBER_REMOVED = 3,

            /** ROOM_EVENT_KIND_METADATA_CHANGED value */
            ROOM_EVENT_KIND_METADATA_CHANGED = 4,

            /** ROOM_EVENT_KIND_IDENTITY_CHANGED value */
            ROOM_EVENT_KIND_IDENTITY_CHANGED = 5,

            /** ROOM_EVENT_KIND_DEVICE_ADDED value */
            ROOM_EVENT_KIND_DEVICE_ADDED = 6,

            /** ROOM_EVENT_KIND_DEVICE_REMOVED value */
            ROOM_EVENT_KIND_DEVICE_REMOVED = 7
        }

        /**
         * Properties of a RoomEvent.
         * @deprecated Use chat.v1.RoomEvent.$Properties instead.
         */
        interface IRoomEvent extends chat.v1.RoomEvent.$Properties {
        }

        /** Represents a RoomEvent. */
        class RoomEvent {

            /**
             * Constructs a new RoomEvent.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.RoomEvent.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** RoomEvent roomId. */
            roomId: string;

            /** RoomEvent kind. */
            kind: chat.v1.RoomEventKind;

            /** RoomEvent memberVersion. */
            memberVersion: number;

            /** RoomEvent userId. */
            userId: string;

            /** RoomEvent actorId. */
            actorId: string;

            /** RoomEvent metaVersion. */
            metaVersion: number;

            /** RoomEvent atMs. */
            atMs: number;

            /** RoomEvent deviceId. */
            deviceId: string;

            /**
             * Creates a new RoomEvent instance using the specified properties.
             * @param [properties] Properties to set
             * @returns RoomEvent instance
             */
            static create(properties: chat.v1.RoomEvent.$Shape): chat.v1.RoomEvent & chat.v1.RoomEvent.$Shape;
            static create(properties?: chat.v1.RoomEvent.$Properties): chat.v1.RoomEvent;

            /**
             * Encodes the specified RoomEvent message. Does not implicitly {@link chat.v1.RoomEvent.verify|verify} messages.
             * @param message RoomEvent message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.RoomEvent.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a RoomEvent message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.RoomEvent & chat.v1.RoomEvent.$Shape} RoomEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.RoomEvent & chat.v1.RoomEvent.$Shape;

            /**
             * Gets the type url for RoomEvent
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace RoomEvent {

            /** Properties of a RoomEvent. */
            interface $Properties {

                /** RoomEvent roomId */
                roomId?: (string|null);

                /** RoomEvent kind */
                kind?: (chat.v1.RoomEventKind|null);

                /** RoomEvent memberVersion */
                memberVersion?: (number|null);

                /** RoomEvent userId */
                userId?: (string|null);

                /** RoomEvent actorId */
                actorId?: (string|null);

                /** RoomEvent metaVersion */
                metaVersion?: (number|null);

                /** RoomEvent atMs */
                atMs?: (number|null);

                /** RoomEvent deviceId */
                deviceId?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a RoomEvent. */
            type $Shape = chat.v1.RoomEvent.$Properties;
        }

        /** TypingState enum. */
        enum TypingState {

            /** TYPING_STATE_UNSPECIFIED value */
            TYPING_STATE_UNSPECIFIED = 0,

            /** TYPING_STATE_START value */
            TYPING_STATE_START = 1,

            /** TYPING_STATE_RENEW value */
            TYPING_STATE_RENEW = 2,

            /** TYPING_STATE_STOP value */
            TYPING_STATE_STOP = 3
        }

        /**
         * Properties of a Typing.
         * @deprecated Use chat.v1.Typing.$Properties instead.
         */
        interface ITyping extends chat.v1.Typing.$Properties {
        }

        /** Represents a Typing. */
        class Typing {

            /**
             * Constructs a new Typing.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Typing.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Typing state. */
            state: chat.v1.TypingState;

            /** Typing userId. */
            userId: string;

            /**
             * Creates a new Typing instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Typing instance
             */
            static create(properties: chat.v1.Typing.$Shape): chat.v1.Typing & chat.v1.Typing.$Shape;
            static create(properties?: chat.v1.Typing.$Properties): chat.v1.Typing;

            /**
             * Encodes the specified Typing message. Does not implicitly {@link chat.v1.Typing.verify|verify} messages.
             * @param message Typing message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Typing.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Typing message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Typing & chat.v1.Typing.$Shape} Typing
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Typing & chat.v1.Typing.$Shape;

            /**
             * Gets the type url for Typing
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Typing {

            /** Properties of a Typing. */
            interface $Properties {

                /** Typing state */
                state?: (chat.v1.TypingState|null);

                /** Typing userId */
                userId?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Typing. */
            type $Shape = chat.v1.Typing.$Properties;
        }

        /**
         * Properties of a Receipt.
         * @deprecated Use chat.v1.Receipt.$Properties instead.
         */
        interface IReceipt extends chat.v1.Receipt.$Properties {
        }

        /** Represents a Receipt. */
        class Receipt {

            /**
             * Constructs a new Receipt.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Receipt.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Receipt readSeq. */
            readSeq: number;

            /** Receipt userId. */
            userId: string;

            /**
             * Creates a new Receipt instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Receipt instance
             */
            static create(properties: chat.v1.Receipt.$Shape): chat.v1.Receipt & chat.v1.Receipt.$Shape;
            static create(properties?: chat.v1.Receipt.$Properties): chat.v1.Receipt;

            /**
             * Encodes the specified Receipt message. Does not implicitly {@link chat.v1.Receipt.verify|verify} messages.
             * @param message Receipt message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Receipt.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Receipt message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Receipt & chat.v1.Receipt.$Shape} Receipt
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Receipt & chat.v1.Receipt.$Shape;

            /**
             * Gets the type url for Receipt
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Receipt {

            /** Properties of a Receipt. */
            interface $Properties {

                /** Receipt readSeq */
                readSeq?: (number|null);

                /** Receipt userId */
                userId?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Receipt. */
            type $Shape = chat.v1.Receipt.$Properties;
        }

        /**
         * Properties of a DeviceStatus.
         * @deprecated Use chat.v1.DeviceStatus.$Properties instead.
         */
        interface IDeviceStatus extends chat.v1.DeviceStatus.$Properties {
        }

        /** Represents a DeviceStatus. */
        class DeviceStatus {

            /**
             * Constructs a new DeviceStatus.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.DeviceStatus.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DeviceStatus online. */
            online: boolean;

            /** DeviceStatus heartbeatMs. */
            heartbeatMs: number;

            /**
             * Creates a new DeviceStatus instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DeviceStatus instance
             */
            static create(properties: chat.v1.DeviceStatus.$Shape): chat.v1.DeviceStatus & chat.v1.DeviceStatus.$Shape;
            static create(properties?: chat.v1.DeviceStatus.$Properties): chat.v1.DeviceStatus;

            /**
             * Encodes the specified DeviceStatus message. Does not implicitly {@link chat.v1.DeviceStatus.verify|verify} messages.
             * @param message DeviceStatus message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.DeviceStatus.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DeviceStatus message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.DeviceStatus & chat.v1.DeviceStatus.$Shape} DeviceStatus
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.DeviceStatus & chat.v1.DeviceStatus.$Shape;

            /**
             * Gets the type url for DeviceStatus
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DeviceStatus {

            /** Properties of a DeviceStatus. */
            interface $Properties {

                /** DeviceStatus online */
                online?: (boolean|null);

                /** DeviceStatus heartbeatMs */
                heartbeatMs?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DeviceStatus. */
            type $Shape = chat.v1.DeviceStatus.$Properties;
        }

        /**
         * Properties of a Presence.
         * @deprecated Use chat.v1.Presence.$Properties instead.
         */
        interface IPresence extends chat.v1.Presence.$Properties {
        }

        /** Represents a Presence. */
        class Presence {

            /**
             * Constructs a new Presence.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.Presence.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Presence online. */
            online: boolean;

            /** Presence lastSeenMs. */
            lastSeenMs: number;

            /**
             * Creates a new Presence instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Presence instance
             */
            static create(properties: chat.v1.Presence.$Shape): chat.v1.Presence & chat.v1.Presence.$Shape;
            static create(properties?: chat.v1.Presence.$Properties): chat.v1.Presence;

            /**
             * Encodes the specified Presence message. Does not implicitly {@link chat.v1.Presence.verify|verify} messages.
             * @param message Presence message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.Presence.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Presence message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.Presence & chat.v1.Presence.$Shape} Presence
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.Presence & chat.v1.Presence.$Shape;

            /**
             * Gets the type url for Presence
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Presence {

            /** Properties of a Presence. */
            interface $Properties {

                /** Presence online */
                online?: (boolean|null);

                /** Presence lastSeenMs */
                lastSeenMs?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Presence. */
            type $Shape = chat.v1.Presence.$Properties;
        }

        /**
         * Properties of a E2eeEnvelope.
         * @deprecated Use chat.v1.E2eeEnvelope.$Properties instead.
         */
        interface IE2eeEnvelope extends chat.v1.E2eeEnvelope.$Properties {
        }

        /** Represents a E2eeEnvelope. */
        class E2eeEnvelope {

            /**
             * Constructs a new E2eeEnvelope.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.E2eeEnvelope.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** E2eeEnvelope senderDeviceId. */
            senderDeviceId: number;

            /** E2eeEnvelope pairwise. */
            pairwise: chat.v1.E2eePairwise.$Properties[];

            /** E2eeEnvelope senderKeyMessage. */
            senderKeyMessage: Uint8Array;

            /** E2eeEnvelope kind. */
            kind: chat.v1.E2eeEnvelopeKind;

            /**
             * Creates a new E2eeEnvelope instance using the specified properties.
             * @param [properties] Properties to set
             * @returns E2eeEnvelope instance
             */
            static create(properties: chat.v1.E2eeEnvelope.$Shape): chat.v1.E2eeEnvelope & chat.v1.E2eeEnvelope.$Shape;
            static create(properties?: chat.v1.E2eeEnvelope.$Properties): chat.v1.E2eeEnvelope;

            /**
             * Encodes the specified E2eeEnvelope message. Does not implicitly {@link chat.v1.E2eeEnvelope.verify|verify} messages.
             * @param message E2eeEnvelope message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.E2eeEnvelope.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a E2eeEnvelope message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.E2eeEnvelope & chat.v1.E2eeEnvelope.$Shape} E2eeEnvelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.E2eeEnvelope & chat.v1.E2eeEnvelope.$Shape;

            /**
             * Gets the type url for E2eeEnvelope
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace E2eeEnvelope {

            /** Properties of a E2eeEnvelope. */
            interface $Properties {

                /** E2eeEnvelope senderDeviceId */
                senderDeviceId?: (number|null);

                /** E2eeEnvelope pairwise */
                pairwise?: (chat.v1.E2eePairwise.$Properties[]|null);

                /** E2eeEnvelope senderKeyMessage */
                senderKeyMessage?: (Uint8Array|null);

                /** E2eeEnvelope kind */
                kind?: (chat.v1.E2eeEnvelopeKind|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a E2eeEnvelope. */
            type $Shape = chat.v1.E2eeEnvelope.$Properties;
        }

        /** E2eeEnvelopeKind enum. */
        enum E2eeEnvelopeKind {

            /** E2EE_ENVELOPE_KIND_UNSPECIFIED value */
            E2EE_ENVELOPE_KIND_UNSPECIFIED = 0,

            /** E2EE_ENVELOPE_KIND_SENDER_KEY value */
            E2EE_ENVELOPE_KIND_SENDER_KEY = 1,

            /** E2EE_ENVELOPE_KIND_PAIRWISE value */
            E2EE_ENVELOPE_KIND_PAIRWISE = 2,

            /** E2EE_ENVELOPE_KIND_DISTRIBUTION value */
            E2EE_ENVELOPE_KIND_DISTRIBUTION = 3
        }

        /** E2eeCipherType enum. */
        enum E2eeCipherType {

            /** E2EE_CIPHER_TYPE_UNSPECIFIED value */
            E2EE_CIPHER_TYPE_UNSPECIFIED = 0,

            /** E2EE_CIPHER_TYPE_PREKEY value */
            E2EE_CIPHER_TYPE_PREKEY = 1,

            /** E2EE_CIPHER_TYPE_WHISPER value */
            E2EE_CIPHER_TYPE_WHISPER = 2
        }

        /**
         * Properties of a E2eePairwise.
         * @deprecated Use chat.v1.E2eePairwise.$Properties instead.
         */
        interface IE2eePairwise extends chat.v1.E2eePairwise.$Properties {
        }

        /** Represents a E2eePairwise. */
        class E2eePairwise {

            /**
             * Constructs a new E2eePairwise.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.E2eePairwise.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** E2eePairwise userId. */
            userId: string;

            /** E2eePairwise deviceId. */
            deviceId: number;

            /** E2eePairwise type. */
            type: chat.v1.E2eeCipherType;

            /** E2eePairwise ciphertext. */
            ciphertext: Uint8Array;

            /**
             * Creates a new E2eePairwise instance using the specified properties.
             * @param [properties] Properties to set
             * @returns E2eePairwise instance
             */
            static create(properties: chat.v1.E2eePairwise.$Shape): chat.v1.E2eePairwise & chat.v1.E2eePairwise.$Shape;
            static create(properties?: chat.v1.E2eePairwise.$Properties): chat.v1.E2eePairwise;

            /**
             * Encodes the specified E2eePairwise message. Does not implicitly {@link chat.v1.E2eePairwise.verify|verify} messages.
             * @param message E2eePairwise message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.E2eePairwise.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a E2eePairwise message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.E2eePairwise & chat.v1.E2eePairwise.$Shape} E2eePairwise
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.E2eePairwise & chat.v1.E2eePairwise.$Shape;

            /**
             * Gets the type url for E2eePairwise
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace E2eePairwise {

            /** Properties of a E2eePairwise. */
            interface $Properties {

                /** E2eePairwise userId */
                userId?: (string|null);

                /** E2eePairwise deviceId */
                deviceId?: (number|null);

                /** E2eePairwise type */
                type?: (chat.v1.E2eeCipherType|null);

                /** E2eePairwise ciphertext */
                ciphertext?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a E2eePairwise. */
            type $Shape = chat.v1.E2eePairwise.$Properties;
        }

        /**
         * Properties of a E2eePairwisePayload.
         * @deprecated Use chat.v1.E2eePairwisePayload.$Properties instead.
         */
        interface IE2eePairwisePayload extends chat.v1.E2eePairwisePayload.$Properties {
        }

        /** Represents a E2eePairwisePayload. */
        class E2eePairwisePayload {

            /**
             * Constructs a new E2eePairwisePayload.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.E2eePairwisePayload.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** E2eePairwisePayload senderKeyDistribution. */
            senderKeyDistribution?: (Uint8Array|null);

            /** E2eePairwisePayload content. */
            content?: (Uint8Array|null);

            /** E2eePairwisePayload payload. */
            payload?: ("senderKeyDistribution"|"content");

            /**
             * Creates a new E2eePairwisePayload instance using the specified properties.
             * @param [properties] Properties to set
             * @returns E2eePairwisePayload instance
             */
            static create(properties: chat.v1.E2eePairwisePayload.$Shape): chat.v1.E2eePairwisePayload & chat.v1.E2eePairwisePayload.$Shape;
            static create(properties?: chat.v1.E2eePairwisePayload.$Properties): chat.v1.E2eePairwisePayload;

            /**
             * Encodes the specified E2eePairwisePayload message. Does not implicitly {@link chat.v1.E2eePairwisePayload.verify|verify} messages.
             * @param message E2eePairwisePayload message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.E2eePairwisePayload.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a E2eePairwisePayload message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.E2eePairwisePayload & chat.v1.E2eePairwisePayload.$Shape} E2eePairwisePayload
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.E2eePairwisePayload & chat.v1.E2eePairwisePayload.$Shape;

            /**
             * Gets the type url for E2eePairwisePayload
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace E2eePairwisePayload {

            /** Properties of a E2eePairwisePayload. */
            interface $Properties {

                /** E2eePairwisePayload senderKeyDistribution */
                senderKeyDistribution?: (Uint8Array|null);

                /** E2eePairwisePayload content */
                content?: (Uint8Array|null);

                /** E2eePairwisePayload payload */
                payload?: ("senderKeyDistribution"|"content");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a E2eePairwisePayload. */
            type $Shape = {
              senderKeyDistribution?: Uint8Array|null;
              content?: Uint8Array|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ payload?: undefined; senderKeyDistribution?: null; content?: null }|{ payload?: "senderKeyDistribution"; senderKeyDistribution: Uint8Array; content?: null }|{ payload?: "content"; senderKeyDistribution?: null; content: Uint8Array })
            );
        }

        /**
         * Properties of a E2eeContent.
         * @deprecated Use chat.v1.E2eeContent.$Properties instead.
         */
        interface IE2eeContent extends chat.v1.E2eeContent.$Properties {
        }

        /** Represents a E2eeContent. */
        class E2eeContent {

            /**
             * Constructs a new E2eeContent.
             * @param [properties] Properties to set
             */
            constructor(properties?: chat.v1.E2eeContent.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** E2eeContent roomId. */
            roomId: string;

            /** E2eeContent body. */
            body: Uint8Array;

            /** E2eeContent contentType. */
            contentType: string;

            /** E2eeContent padding. */
            padding: Uint8Array;

            /**
             * Creates a new E2eeContent instance using the specified properties.
             * @param [properties] Properties to set
             * @returns E2eeContent instance
             */
            static create(properties: chat.v1.E2eeContent.$Shape): chat.v1.E2eeContent & chat.v1.E2eeContent.$Shape;
            static create(properties?: chat.v1.E2eeContent.$Properties): chat.v1.E2eeContent;

            /**
             * Encodes the specified E2eeContent message. Does not implicitly {@link chat.v1.E2eeContent.verify|verify} messages.
             * @param message E2eeContent message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: chat.v1.E2eeContent.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a E2eeContent message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {chat.v1.E2eeContent & chat.v1.E2eeContent.$Shape} E2eeContent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): chat.v1.E2eeContent & chat.v1.E2eeContent.$Shape;

            /**
             * Gets the type url for E2eeContent
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace E2eeContent {

            /** Properties of a E2eeContent. */
            interface $Properties {

                /** E2eeContent roomId */
                roomId?: (string|null);

                /** E2eeContent body */
                body?: (Uint8Array|null);

                /** E2eeContent contentType */
                contentType?: (string|null);

                /** E2eeContent padding */
                padding?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a E2eeContent. */
            type $Shape = chat.v1.E2eeContent.$Properties;
        }
    }
}
