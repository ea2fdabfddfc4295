import { createMemoryKeyValueStore } from '@mqtt-chat/sdk';
import { describeKeyValueStoreContract } from './key-value-store.contract.js';

describeKeyValueStoreContract('memory', async () => ({ store: createMemoryKeyValueStore() }));
