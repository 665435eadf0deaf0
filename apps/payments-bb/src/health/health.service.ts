import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { HEALTH_QUEUE } from './health.constants';

type Status = 'up' | 'down';

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Status> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(HEALTH_QUEUE) private readonly queue: Queue,
  ) {}

  async check(): Promise<{ postgres: Status; redis: Status }> {
    const [postgres, redis] = await Promise.all([
      probe(() => this.ds.query('SELECT 1')),
      probe(async () => (await this.queue.client.ping()) === 'PONG' || Promise.reject(new Error('no PONG'))),
    ]);
    return { postgres, redis };
  }
}
