import { createSendPipeline, type SendPipeline, type SendPipelineDeps, type SendPipelineOptions } from './send-pipeline.js';

export interface Bridge {
  /** The same pipeline the MQTT sends take, for REST sends. */
  readonly pipeline: SendPipeline;
  /** Finishes the sends in progress, then detaches from the broker. */
  close(): Promise<void>;
}

/** Connects the send pipeline to a broker port: every device send goes through it. */
export async function startBridge(deps: SendPipelineDeps, options: SendPipelineOptions): Promise<Bridge> {
  const log = deps.log.child({ module: 'bridge' });
  const pipeline = createSendPipeline(deps, options);
  await deps.port.consumeSends(async (sender, payload) => {
    await pipeline.handlePayload(sender, payload);
  });
  log.info({ batchMaxMessages: options.batchMaxMessages, batchMaxWaitMs: options.batchMaxWaitMs }, 'bridge consuming sends');
  return {
    pipeline,
    async close() {
      await pipeline.drain();
      await deps.port.close();
    },
  };
}
