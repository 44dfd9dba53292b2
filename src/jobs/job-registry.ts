import { Injectable } from '@nestjs/common';
import { JOB_QUEUES, JobDefinition } from './job-api';
import { validateSchedule } from './schedule';

export type CleanupStep = (now: Date) => Promise<number>;

const NAME = /^[a-z][a-z0-9-]{1,49}$/;

/** The jobs and cleanup steps this process knows (declared by the feature modules at start-up). */
@Injectable()
export class JobRegistry {
  private readonly defs = new Map<string, JobDefinition<unknown>>();
  private readonly cleanups = new Map<string, CleanupStep>();

  add(def: JobDefinition<unknown>): void {
    if (!NAME.test(def.name)) throw new Error(`job name "${def.name}" must be kebab-case`);
    if (this.defs.has(def.name)) throw new Error(`job ${def.name} is registered twice`);
    if (!(JOB_QUEUES as readonly string[]).includes(def.queue)) throw new Error(`job ${def.name}: unknown queue ${def.queue}`);
    if (def.schedule) validateSchedule(def.name, def.schedule);
    this.defs.set(def.name, def);
  }

  get(name: string): JobDefinition<unknown> | undefined {
    return this.defs.get(name);
  }

  definitions(): JobDefinition<unknown>[] {
    return [...this.defs.values()];
  }

  addCleanup(name: string, step: CleanupStep): void {
    if (this.cleanups.has(name)) throw new Error(`cleanup step ${name} is registered twice`);
    this.cleanups.set(name, step);
  }

  cleanupSteps(): Array<[string, CleanupStep]> {
    return [...this.cleanups.entries()];
  }
}
