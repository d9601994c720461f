// All 12 operations through the SDK functions that @hey-api/openapi-ts generates in `generated/`
// (its bundled fetch client; the bearer token goes through the SDK's own `auth` handling).
// Compiled with `tsc --strict`; run as `node main.js BASE_URL TOKEN`. Prints what it observed as
// one JSON object; tests/test_generated_clients.py asserts on it.
import { createClient } from "./generated/client";
import {
    createPersona,
    createWorkflow,
    deletePersona,
    deleteWorkflow,
    getPersona,
    getWorkflow,
    getWorkflowToken,
    listPersonas,
    listWorkflows,
    runWorkflow,
    updatePersona,
    updateWorkflow,
} from "./generated/sdk.gen";
import type { Action, PaginatedWorkflowList, PersonaSummary, Workflow, WorkflowRun } from "./generated/types.gen";
import { personaExample, workflowExample } from "./examples";

// The generated types are not `any`: an action type the spec does not list must not compile.
// @ts-expect-error -- "reboot" is not in Action.type's enum
export const notAnAction: Action = { type: "reboot" };

async function main(baseUrl: string, token: string): Promise<Record<string, unknown>> {
    const client = createClient({ baseUrl, auth: token });
    const workspace_name = "demo";
    const seen: Record<string, unknown> = {};

    const workflows = await listWorkflows({ client, path: { workspace_name }, query: { page: 1, page_size: 2 } });
    const workflowPage: PaginatedWorkflowList | undefined = workflows.data;
    const firstWorkflow: Workflow | undefined = workflowPage?.results[0];
    seen.listWorkflows = {
        status: workflows.response.status,
        count: workflowPage?.count,
        next: workflowPage?.next,
        ids: workflowPage?.results.map((w) => w.id),
        keys: firstWorkflow && Object.keys(firstWorkflow).sort(),
        triggerType: firstWorkflow?.trigger.type,
    };

    // The spec's own create example, typed as WorkflowInput in examples.ts (parameters and all).
    const created = await createWorkflow({ client, path: { workspace_name }, body: workflowExample });
    const workflow: Workflow | undefined = created.data;
    if (workflow === undefined) throw new Error(`createWorkflow: ${created.response.status}`);
    const path = { workspace_name, workflow_id: workflow.id };
    seen.createWorkflow = {
        status: created.response.status,
        id: workflow.id,
        location: created.response.headers.get("Location"),
        parameters: workflow.actions[0].parameters,
    };

    const got = await getWorkflow({ client, path });
    const trigger = got.data?.trigger;
    seen.getWorkflow = {
        status: got.response.status,
        id: got.data?.id,
        name: got.data?.name,
        parameters: got.data?.actions[0].parameters,
        schedule: trigger?.type === "schedule" ? trigger.schedule : null,
    };

    const updated = await updateWorkflow({
        client,
        path,
        body: { name: "Nightly check", enabled: false, trigger: { type: "manual" }, actions: [{ type: "notify" }] },
    });
    seen.updateWorkflow = {
        status: updated.response.status,
        name: updated.data?.name,
        enabled: updated.data?.enabled,
        triggerType: updated.data?.trigger.type,
        description: updated.data?.description,
    };

    const run = await runWorkflow({ client, path });
    const result: WorkflowRun | undefined = run.data;
    seen.runWorkflow = {
        status: run.response.status,
        workflowId: result?.workflowId,
        runStatus: result?.status,
        actionTypes: result?.actions.map((a) => a.type),
    };

    const webhook = await getWorkflowToken({ client, path });
    seen.getWorkflowToken = { status: webhook.response.status, token: webhook.data?.token };

    const deleted = await deleteWorkflow({ client, path });
    const gone = await getWorkflow({ client, path });
    seen.deleteWorkflow = { status: deleted.response.status, after: gone.response.status, detail: gone.error?.detail };

    const personas = await listPersonas({ client, path: { workspace_name } });
    const firstPersona: PersonaSummary | undefined = personas.data?.results[0];
    seen.listPersonas = {
        status: personas.response.status,
        count: personas.data?.count,
        next: personas.data?.next,
        names: personas.data?.results.map((p) => p.name),
        keys: firstPersona && Object.keys(firstPersona).sort(),
        fullName: firstPersona?.fullName,
    };

    const newPersona = await createPersona({
        client,
        path: { workspace_name },
        body: { ...personaExample, name: "hey-api-watcher" },
    });
    if (newPersona.data === undefined) throw new Error(`createPersona: ${newPersona.response.status}`);
    const personaPath = { workspace_name, persona_id: newPersona.data.id };
    seen.createPersona = {
        status: newPersona.response.status,
        id: newPersona.data.id,
        name: newPersona.data.name,
        searchFilters: newPersona.data.searchFilters,
    };

    const persona = await getPersona({ client, path: personaPath });
    seen.getPersona = {
        status: persona.response.status,
        name: persona.data?.name,
        searchFilters: persona.data?.searchFilters,
        runConfidenceThreshold: persona.data?.runConfidenceThreshold,
    };

    // Only the required fields: every defaulted one is optional in the input type.
    const replaced = await updatePersona({
        client,
        path: personaPath,
        body: { name: "hey-api-watcher", fullName: "Renamed Watcher" },
    });
    seen.updatePersona = {
        status: replaced.response.status,
        fullName: replaced.data?.fullName,
        filterConfidenceThreshold: replaced.data?.filterConfidenceThreshold,
        searchFilters: replaced.data?.searchFilters,
    };

    const removed = await deletePersona({ client, path: personaPath });
    const after = await getPersona({ client, path: personaPath });
    seen.deletePersona = { status: removed.response.status, after: after.response.status, detail: after.error?.detail };
    return seen;
}

const [baseUrl, token] = process.argv.slice(2);
main(baseUrl, token).then(
    (seen) => console.log(JSON.stringify(seen)),
    (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    },
);
