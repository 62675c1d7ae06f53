import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const execute = promisify(execFile);

async function ip(...args: string[]): Promise<void> {
  await execute('ip', args, { timeout: 10_000 });
}

/** One veth pair between the root namespace (`hostAddress`) and the test's (`namespaceAddress`). */
export interface NamespaceLink {
  hostDevice: string;
  hostAddress: string;
  namespaceAddress: string;
}

/**
 * A network namespace of the test's own (a "host" of its cluster), joined to the root namespace by one
 * veth pair per link, each its own /30 on 10.200-254.x.0 (random, so parallel test files do not collide).
 * A link is cut by setting its root-side device down: packets are lost, no RST is sent, as when a cable or
 * a switch port fails. Needs root (CAP_NET_ADMIN); `create` says so clearly when that is missing.
 */
export class NetworkNamespace {
  readonly name: string;
  readonly links: NamespaceLink[];

  private constructor(name: string, links: NamespaceLink[]) {
    this.name = name;
    this.links = links;
  }

  static async create(label: string, linkCount: number): Promise<NetworkNamespace> {
    const id = randomInt(0, 0xffffff).toString(16).padStart(6, '0');
    const name = `dgc-${label}-${id}`;
    try {
      await ip('netns', 'add', name);
    } catch (error) {
      throw new Error(
        `this test needs network namespaces (ip netns add, as root with CAP_NET_ADMIN) and could not create one: ${(error as Error).message}`,
      );
    }
    const namespace = new NetworkNamespace(name, []);
    try {
      await ip('-n', name, 'link', 'set', 'lo', 'up');
      for (let index = 0; index < linkCount; index += 1) {
        const octet2 = randomInt(200, 255);
        const octet3 = randomInt(0, 256);
        const hostDevice = `vh${id}${index}`;
        const namespaceDevice = `vn${id}${index}`;
        const link = {
          hostDevice,
          hostAddress: `10.${octet2}.${octet3}.1`,
          namespaceAddress: `10.${octet2}.${octet3}.2`,
        };
        await ip('link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', namespaceDevice);
        namespace.links.push(link);
        await ip('link', 'set', namespaceDevice, 'netns', name);
        await ip('addr', 'add', `${link.hostAddress}/30`, 'dev', hostDevice);
        await ip('link', 'set', hostDevice, 'up');
        await ip('-n', name, 'addr', 'add', `${link.namespaceAddress}/30`, 'dev', namespaceDevice);
        await ip('-n', name, 'link', 'set', namespaceDevice, 'up');
      }
    } catch (error) {
      await namespace.remove();
      throw error;
    }
    return namespace;
  }

  /** What a process is started under to run inside the namespace (ip execs it: same pid). */
  get wrapper(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  link(index: number): NamespaceLink {
    const link = this.links[index];
    if (!link) throw new RangeError(`namespace ${this.name} has no link ${index}`);
    return link;
  }

  /** Cuts (`up = false`) or restores a link. */
  async setLink(index: number, up: boolean): Promise<void> {
    await ip('link', 'set', this.link(index).hostDevice, up ? 'up' : 'down');
  }

  /** Deletes the namespace (its veth ends go with it, taking the root-side peers along); never throws. */
  async remove(): Promise<void> {
    for (const link of this.links) await ip('link', 'del', link.hostDevice).catch(() => {});
    await ip('netns', 'del', this.name).catch(() => {});
  }
}
