import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';

/** This app instance's name in leases and job_runs (one per app, so two apps in one process differ). */
@Injectable()
export class JobsInstance {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`.slice(0, 100);
}
