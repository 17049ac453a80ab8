

module t_slip_decoder(clock,reset,in_data,in_valid,in_ready,out_data,out_end,out_bad,out_valid,out_ready);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [7:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [7:0] out_data;
    output reg  out_end;
    output reg  out_bad;
    output reg  out_valid;
    input wire  out_ready;
    
    // Constant declarations
    localparam  k_end = 8'hc0;
    localparam  k_esc = 8'hdb;
    localparam  k_esc_end = 8'hdc;
    localparam  k_esc_esc = 8'hdd;
    
    // Stub signals
    reg  escaped$d;
    wire  escaped$q;
    reg  escaped$clock;
    reg  bad$d;
    wire  bad$q;
    reg  bad$clock;
    
    // Local signals
    reg  take;
    
    // Sub module instances
    t_slip_decoder$escaped escaped(
        .d(escaped$d),
        .q(escaped$q),
        .clock(escaped$clock)
    );
    t_slip_decoder$bad bad(
        .d(bad$d),
        .q(bad$q),
        .clock(bad$clock)
    );
    
    // Update code
    always @(*) begin
        escaped$clock = clock;
        bad$clock = clock;
        escaped$d = escaped$q;
        bad$d = bad$q;
        out_data = in_data;
        out_end = 1'b0;
        out_bad = bad$q | escaped$q;
        out_valid = 1'b0;
        in_ready = 1'b1;
        if (in_data == k_end) begin
            out_end = 1'b1;
            out_valid = in_valid;
            in_ready = out_ready;
        end
        else if (escaped$q) begin
            if (in_data == k_esc_end) begin
                out_data = k_end;
                out_valid = in_valid;
                in_ready = out_ready;
            end
            else if (in_data == k_esc_esc) begin
                out_data = k_esc;
                out_valid = in_valid;
                in_ready = out_ready;
            end
        end
        else if (in_data != k_esc) begin
            out_valid = in_valid;
            in_ready = out_ready;
        end
        take = in_valid & in_ready;
        if (take) begin
            if (in_data == k_end) begin
                escaped$d = 1'b0;
                bad$d = 1'b0;
            end
            else if (escaped$q) begin
                escaped$d = 1'b0;
                if ((in_data != k_esc_end) & (in_data != k_esc_esc)) begin
                    bad$d = 1'b1;
                end
            end
            else if (in_data == k_esc) begin
                escaped$d = 1'b1;
            end
        end
        if (reset) begin
            escaped$d = 1'b0;
            bad$d = 1'b0;
        end
    end
    
endmodule // t_slip_decoder


module t_slip_decoder$bad(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_slip_decoder$bad


module t_slip_decoder$escaped(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_slip_decoder$escaped
