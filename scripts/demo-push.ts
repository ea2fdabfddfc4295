/**
 * The demo's last act (docs/push.md#on-the-phone): bob puts his phone away, alice writes, the
 * platform pushes through the local APNs stub, and bob's woken app shows a placeholder, fetches,
 * and only then shows the message. Printed step by step, as bob's phone lives it.
 */
import { type NotificationChange, realClock } from '@mqtt-chat/sdk';
import { openPushChannel } from '../mobile-sim/push/push-channel.js';
import { createPushWokenPhone } from '../mobile-sim/push/push-woken-phone.js';

export interface PushActScene {
  mqttUrl: string;
  apiUrl: string;
  apnsStubUrl: string;
  roomId: string;
  bob: { userId: string; token: string };
  names: Readonly<Record<string, string>>;
  /** Alice sends over her phone and resolves once it is committed. */
  aliceSays(text: string): Promise<void>;
  /** The room's last seq, as the platform has it. */
  lastSeq(): Promise<number>;
  say: (line: string) => void;
}

const GIVE_UP_MS = 20_000;

export async function playPushAct(scene: PushActScene): Promise<void> {
  const { say, roomId } = scene;
  const line = (what: string) => say(`  bob   | ${what}`);
  let waiters: (() => void)[] = [];
  const happened = () => waiters.forEach((check) => check());
  const until = (test: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo: no ${what} within ${GIVE_UP_MS / 1000} s`)), GIVE_UP_MS);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      };
      waiters.push(check);
      check();
    });

  let narrate = false;
  const app = createPushWokenPhone(
    {
      clock: realClock,
      random: Math.random,
      messageDelivered: (m) => {
        if (narrate) line(`fetch #${m.seq} delivered by the SDK (caught up after the wake-up)`);
        happened();
      },
      notificationChanged: (change) => {
        if (narrate) line(describeChange(change, scene.names));
        happened();
      },
    },
    { mqttUrl: scene.mqttUrl, apiUrl: scene.apiUrl, userId: scene.bob.userId, deviceId: 'phone', token: scene.bob.token },
  );
  const pushToken = 'b0b'.padEnd(64, 'f'); // the hex device token iOS would hand the app
  app.openApp();
  await app.client()!.registerPushToken({ platform: 'apns', token: pushToken });
  const caughtUpTo = await scene.lastSeq();
  await until(() => app.storedLastSeq(roomId) >= caughtUpTo, "bob's app catching up");
  say(`\nbob's app (the SDK) registered an APNs token and holds #1..#${caughtUpTo}; bob puts the phone away: the app is suspended`);
  app.sleep();

  const channel = openPushChannel(
    {
      clock: realClock,
      pushed: (data) => {
        line(`push  ${String(data['type'])} #${String(data['seq'])} for room ${String(data['roomId']).slice(0, 8)}… arrives from APNs`);
        line(`push  handled: ${app.pushReceived(data) ?? 'not ours, dropped'}`);
      },
    },
    { stubUrl: scene.apnsStubUrl, token: pushToken },
  );
  narrate = true;
  say('alice writes while bob is away:');
  await scene.aliceSays('are you there?');
  try {
    await until(() => app.notifications.visible().some((n) => n.kind === 'message'), 'message on the lock screen');
    say(
      `\nbob's lock screen: ${app.notifications
        .visible()
        .map((n) => JSON.stringify(n.text))
        .join(', ')} (badge ${app.notifications.badge()})`,
    );
  } finally {
    channel.close();
    app.sleep();
  }
}

function describeChange(change: NotificationChange, names: Readonly<Record<string, string>>): string {
  switch (change.kind) {
    case 'shown':
      return change.notification.kind === 'placeholder'
        ? `screen "${change.notification.text}" (the message is not fetched yet: waking the app)`
        : `screen #${change.notification.seq} ${names[change.notification.senderId] ?? '?'}: ${change.notification.text}`;
    case 'withdrawn':
      return change.placeholder ? 'screen placeholder replaced by what was fetched' : `screen withdrew up to #${change.upToSeq}`;
    case 'badge':
      return `badge ${change.count}`;
  }
}
